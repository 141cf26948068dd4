import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { TerminalApi } from '../../../shared/contract';
import type { PersonView } from '../../../shared/contract/manager';
import { PosError } from '../../../shared/errors';
import { createSessionSlice, gate, guardApi, INITIAL_SESSION, type SessionSlice } from './session';

const ann: PersonView = { id: 'P-A', name: 'Ann', role: 'manager', active: true, lockedUntil: null };
const bo: PersonView = { id: 'P-B', name: 'Bo', role: 'cashier', active: true, lockedUntil: null };

function fakeApi(state: { person: PersonView | null; needsFirstManager: boolean }) {
  const api = {
    whoAmI: async () => ({ ...state }),
    signIn: async ({ personId, pin }: { personId: string; pin: string }) => {
      if (pin !== '1357') throw new PosError('PIN_WRONG', 'Wrong PIN.', { details: { attemptsLeft: 4 } });
      state.person = personId === bo.id ? bo : ann;
      return state.person;
    },
    signOut: async () => {
      state.person = null;
      return { signedOut: true as const };
    },
    createFirstManager: async ({ name }: { name: string }) => {
      state.person = { ...ann, name };
      state.needsFirstManager = false;
      return state.person;
    },
  };
  return api as unknown as TerminalApi;
}

const sessionStore = (api: TerminalApi) => createStore<SessionSlice>()((set, get) => createSessionSlice(api, set, get));

describe('session slice', () => {
  it('first start, then sign-in, then sign-out back to the sign-in screen', async () => {
    const server = { person: null as PersonView | null, needsFirstManager: true };
    const store = sessionStore(fakeApi(server));
    expect(gate(store.getState().session)).toBe('loading');
    await store.getState().loadSession();
    expect(gate(store.getState().session)).toBe('first-start');
    await store.getState().createFirstManager('Ann', '2468');
    expect(store.getState().session.person?.name).toBe('Ann');
    expect(gate(store.getState().session)).toBe('in');
    await store.getState().signOut();
    await new Promise((r) => setTimeout(r, 0));
    expect(gate(store.getState().session)).toBe('sign-in');
    await expect(store.getState().signIn(bo.id, '0000')).rejects.toMatchObject({ code: 'PIN_WRONG', details: { attemptsLeft: 4 } });
    expect(gate(store.getState().session)).toBe('sign-in');
    await store.getState().signIn(bo.id, '1357');
    expect(store.getState().session.person).toEqual(bo);
  });

  it('an unreachable service shows an error until it answers', async () => {
    let up = false;
    const api = {
      whoAmI: async () => {
        if (!up) throw new PosError('INTERNAL', 'down');
        return { person: ann, needsFirstManager: false };
      },
    } as unknown as TerminalApi;
    const store = sessionStore(api);
    await store.getState().loadSession();
    expect(gate(store.getState().session)).toBe('error');
    up = true;
    await store.getState().loadSession();
    expect(gate(store.getState().session)).toBe('in');
    expect(gate(INITIAL_SESSION)).toBe('loading');
  });
});

describe('guardApi', () => {
  it('tells the app when a call finds nobody signed in, and still refuses the call', async () => {
    let lost = 0;
    const api = {
      queryLog: async () => {
        throw new PosError('NOT_SIGNED_IN');
      },
      getSettings: async () => ({ ok: 1 }),
      signIn: async () => {
        throw new PosError('NOT_SIGNED_IN');
      },
    } as unknown as TerminalApi;
    const guarded = guardApi(api, () => lost++);
    await expect(guarded.queryLog({ limit: 1, filter: {} })).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
    expect(lost).toBe(1);
    await expect(guarded.getSettings({})).resolves.toEqual({ ok: 1 });
    await expect(guarded.signIn({ personId: 'x', pin: '1234' })).rejects.toBeTruthy();
    expect(lost).toBe(1);
  });
});
