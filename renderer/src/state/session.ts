/**
 * The `session` slice: who is signed in at this terminal (the service keeps
 * one session per terminal), whether the first manager must still be created,
 * and the sign-in / sign-out / first-start actions. Written as a slice so the
 * counter's store composes it (`...createSessionSlice(api, set, get)`), and so
 * it is tested on its own.
 */
import type { MethodName, TerminalApi } from '../../../shared/contract';
import type { PersonView } from '../../../shared/contract/manager';
import type { ErrorInfo } from '../../../shared/errors';
import { asErrorInfo } from '../api/client';

export interface SessionState {
  /** 'unknown' until the first whoAmI answers. */
  phase: 'unknown' | 'ready' | 'error';
  person: PersonView | null;
  needsFirstManager: boolean;
  error: ErrorInfo | null;
  /** The recovery code the first start answered: shown once, then forgotten (dismissRecoveryCode). */
  recoveryCode: string | null;
}

export interface SessionSlice {
  session: SessionState;
  /** Asks the service who is signed in (at start, and whenever a call says NOT_SIGNED_IN). */
  loadSession(): Promise<void>;
  /** Signs a person in; throws the refusal (wrong PIN, locked) for the screen to show. */
  signIn(personId: string, pin: string): Promise<PersonView>;
  /** First start: creates the first manager, who is then signed in. */
  createFirstManager(name: string, pin: string): Promise<PersonView>;
  /** The manager wrote the recovery code down: it leaves the screen and memory. */
  dismissRecoveryCode(): void;
  signOut(): Promise<void>;
}

type SetFn<S> = (partial: Partial<S>) => void;
type GetFn<S> = () => S;

export const INITIAL_SESSION: SessionState = { phase: 'unknown', person: null, needsFirstManager: false, error: null, recoveryCode: null };

export function createSessionSlice<S extends SessionSlice>(
  api: Pick<TerminalApi, 'whoAmI' | 'signIn' | 'signOut' | 'createFirstManager'>,
  set: SetFn<S>,
  get: GetFn<S>,
): SessionSlice {
  const put = (patch: Partial<SessionState>) => set({ session: { ...get().session, ...patch } } as Partial<S>);
  let loadSeq = 0;
  return {
    session: INITIAL_SESSION,

    async loadSession() {
      const seq = ++loadSeq;
      try {
        const who = await api.whoAmI({});
        if (seq !== loadSeq) return;
        put({ phase: 'ready', person: who.person, needsFirstManager: who.needsFirstManager, error: null });
      } catch (e) {
        if (seq !== loadSeq) return;
        put({ phase: get().session.phase === 'ready' ? 'ready' : 'error', error: asErrorInfo(e) });
      }
    },

    async signIn(personId, pin) {
      const person = await api.signIn({ personId, pin });
      loadSeq++;
      put({ phase: 'ready', person, needsFirstManager: false, error: null });
      return person;
    },

    async createFirstManager(name, pin) {
      const { recoveryCode, ...person } = await api.createFirstManager({ name, pin });
      loadSeq++;
      put({ phase: 'ready', person, needsFirstManager: false, error: null, recoveryCode });
      return person;
    },

    dismissRecoveryCode() {
      put({ recoveryCode: null });
    },

    async signOut() {
      try {
        await api.signOut({});
      } finally {
        loadSeq++;
        put({ person: null });
        void get().loadSession();
      }
    },
  };
}

/** Which screen the app shows before anything else. */
export function gate(session: SessionState): 'loading' | 'first-start' | 'recovery-code' | 'sign-in' | 'in' | 'error' {
  if (session.phase === 'unknown') return 'loading';
  if (session.recoveryCode) return 'recovery-code';
  if (session.phase === 'error' && !session.person) return 'error';
  if (session.needsFirstManager) return 'first-start';
  return session.person ? 'in' : 'sign-in';
}

/** Methods that never need a signed-in person (they cannot lose the session). */
const OPEN: ReadonlySet<string> = new Set<MethodName>(['getStatus', 'listPeople', 'whoAmI', 'signIn', 'signOut', 'createFirstManager', 'recoverManager']);

/**
 * Wraps the API so that any call refused with NOT_SIGNED_IN (someone signed
 * out in another window, the person was switched off) tells the app, which
 * then shows the sign-in screen. The refusal still reaches the caller.
 */
export function guardApi(api: TerminalApi, onSignedOut: () => void): TerminalApi {
  return new Proxy(api, {
    get(target, name, receiver) {
      const fn = Reflect.get(target, name, receiver) as unknown;
      if (typeof name !== 'string' || typeof fn !== 'function' || OPEN.has(name)) return fn;
      return async (input: unknown) => {
        try {
          return await (fn as (i: unknown) => Promise<unknown>)(input);
        } catch (e) {
          if ((e as { code?: string } | null)?.code === 'NOT_SIGNED_IN') onSignedOut();
          throw e;
        }
      };
    },
  });
}
