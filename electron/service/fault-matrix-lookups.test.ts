/**
 * The fault matrix, lookup rows (issue 20): a redemption whose answer was
 * lost is looked up after its deadline, and the lookup itself fails. For each
 * program with a lookup (UiTPAS, Capillary, GafaPay; White Label has none, so
 * every lost answer there is "cannot tell": fault-matrix.test.ts), a lookup
 * answering 403, 404 or 500, timing out, or unreadable is "cannot tell": the
 * row waits for a manager with the evidence, the sale is not refused, and
 * nothing is sent a second time. The control row (no fault on the lookup)
 * finds it applied.
 *
 * Then the windows: a history listed oldest first across three pages is read
 * whole (GafaPay, the emulator that can list either way), and a terminal whose
 * clock runs 10 minutes ahead or behind (an injected clock: sales, deadlines
 * and the adapters' windows all read it) still matches its own redemption and
 * not another till's, because windows are taken on the backend's clock (its
 * Date header).
 *
 * Real sandbox over loopback, real SQLite file, one runtime per test, run
 * concurrently (most of the time is the in-doubt deadline passing). A lookup
 * times out exactly when the fault holds it (test/held-timeouts.ts), never
 * because the machine is slow.
 */
import { describe, it, type ExpectStatic } from 'vitest';
import type { RunningSandbox } from '../../sandbox/server.js';
import type { FaultSpec } from '../../sandbox/faults.js';
import { controlFetch } from '../../sandbox/control-client.js';
import { UITPAS_DEMO_PASSHOLDERS, UITPAS_DEMO_REWARDS } from '../../sandbox/uitpas/demo-data.js';
import { CAPILLARY_DEMO_CUSTOMERS } from '../../sandbox/capillary/demo.js';
import { GAFAPAY_DEMO_USERS, gafapayAppCode } from '../../sandbox/gafapay/demo.js';
import { startTestTerminal, type TestTerminal } from '../../test/test-terminal.js';
import { until } from '../../test/until.js';

/** What the in-doubt deadline counts from; a timeout itself fires only where a fault holds the request (test/held-timeouts.ts). */
const REQUEST_TIMEOUT_MS = 1000;
const IN_DOUBT_MARGIN_MS = 300;
const MINUTE = 60_000;
/** A ceiling for a hung test on a machine shared by many, never a figure checked. */
const CEILING = { timeout: 60_000 };

type Program = 'uitpas' | 'capillary' | 'gafapay';

interface Fixture extends TestTerminal {
  /** Shifts the emulator's own clock (to seed redemptions made earlier by another till). */
  sandboxOffset: { ms: number };
  /** The one time both clocks read (the terminal's skewed by terminalSkewMs); only the test moves it. */
  time: { ms: number };
  /** Moves both clocks past the in-doubt deadline of what was just sent, and lets the worker look. */
  pastDeadline(): void;
}

async function setup(
  program: Program,
  opts: { terminalSkewMs?: number; before?: (sandbox: RunningSandbox, offset: { ms: number }) => void } = {},
): Promise<Fixture> {
  const sandboxOffset = { ms: 0 };
  const skew = opts.terminalSkewMs ?? 0;
  // The terminal and the program run on one clock the test moves: the lookup's window is then
  // exactly what the rule says, not shifted by how long this machine took to answer.
  const time = { ms: Date.now() };
  const programNow = () => time.ms + sandboxOffset.ms;
  const t = await startTestTerminal({
    backend: program,
    tempPrefix: 'pwp-lookups-',
    heldTimeouts: true,
    sandbox: { now: programNow },
    beforeRuntime: ({ sandbox }) => opts.before?.(sandbox!, sandboxOffset),
    // postWaitMs: confirm waits for the first answer (a lost one comes at once: the connection is reset).
    tuning: {
      postWaitMs: 60_000,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      inDoubtMarginMs: IN_DOUBT_MARGIN_MS,
      probeIntervalMs: 100,
      clock: () => time.ms + skew,
    },
  });
  return Object.assign(t, {
    sandboxOffset,
    time,
    pastDeadline() {
      time.ms += REQUEST_TIMEOUT_MS + IN_DOUBT_MARGIN_MS;
      t.rt.service.worker.kick();
    },
  });
}

async function withFixture(program: Program, fn: (f: Fixture) => Promise<void>, opts: Parameters<typeof setup>[1] = {}): Promise<void> {
  const f = await setup(program, opts);
  try {
    await fn(f);
  } finally {
    await f.close();
  }
}

const jan = UITPAS_DEMO_PASSHOLDERS.jan;
const priya = CAPILLARY_DEMO_CUSTOMERS.priya;
const aisha = GAFAPAY_DEMO_USERS.aisha;

/** Per program: where its redemption is posted and looked up, one sale up to the confirm, and how many redemptions the backend holds. */
interface ProgramCase {
  backend: Program;
  post: string;
  lookup: string;
  /** Starts a sale and takes it to just before the confirm; returns the sale and the points. */
  prepare(f: Fixture): Promise<{ saleId: string; pointsMilli: number; validationCode?: string }>;
  redemptions(f: Fixture): number;
}

const PROGRAMS: ProgramCase[] = [
  {
    backend: 'uitpas',
    post: '/rewards/redeemed',
    lookup: '/rewards/redeemed',
    async prepare(f) {
      const sale = await f.rt.service.startSale({ basketCents: 2000 });
      await f.rt.service.identifyMember({ saleId: sale.id, input: jan.uitpasNumber, source: 'scanner' });
      await f.rt.service.chooseReward({ saleId: sale.id, rewardId: UITPAS_DEMO_REWARDS.ticket.id });
      return { saleId: sale.id, pointsMilli: UITPAS_DEMO_REWARDS.ticket.points! * 1000 };
    },
    redemptions: (f) => f.sandbox.backends.uitpas.state.redemptionsFor(jan.passholderId).length,
  },
  {
    backend: 'capillary',
    post: '/v1.1/points/redeem',
    lookup: '/v1.1/customer/redemptions',
    async prepare(f) {
      const sale = await f.rt.service.startSale({ basketCents: 10_000 });
      await f.rt.service.identifyMember({ saleId: sale.id, input: `+${priya.mobile}`, source: 'keyboard' });
      await f.rt.service.quote({ saleId: sale.id, pointsMilli: 100_000 });
      await f.rt.service.requestValidationCode({ saleId: sale.id });
      const res = await controlFetch(f.sandbox, 'GET', `/capillary/validation-code?mobile=${priya.mobile}`);
      const { code } = (await res.json()) as { code: string };
      return { saleId: sale.id, pointsMilli: 100_000, validationCode: code };
    },
    redemptions: (f) => f.sandbox.backends.capillary.state.redemptionsOf(priya.id).length,
  },
  {
    backend: 'gafapay',
    post: '/redeem_user_reward_points',
    lookup: '/reward_promotion/user_points_redeem',
    async prepare(f) {
      const sale = await f.rt.service.startSale({ basketCents: 10_000 });
      await f.rt.service.identifyMember({ saleId: sale.id, input: gafapayAppCode(aisha), source: 'scanner' });
      await f.rt.service.quote({ saleId: sale.id, pointsMilli: 40_000 });
      return { saleId: sale.id, pointsMilli: 40_000 };
    },
    redemptions: (f) => f.sandbox.backends.gafapay.state.history(aisha.userId).length,
  },
];

/** Confirms the prepared sale with the post's answer lost (applied, then the connection reset). */
async function redeemAnswerLost(expect: ExpectStatic, f: Fixture, p: ProgramCase): Promise<string> {
  const s = await p.prepare(f);
  const before = p.redemptions(f);
  f.sandbox.faults.add({ backend: p.backend, method: 'POST', path: p.post, fault: 'reset-after', times: 1 });
  const v = await f.rt.service.confirmRedemption({
    saleId: s.saleId,
    pointsMilli: s.pointsMilli,
    ...(s.validationCode ? { validationCode: s.validationCode } : {}),
  });
  expect(v.state, 'the terminal cannot know: it waits').toBe('queued');
  expect(p.redemptions(f), 'the backend applied it').toBe(before + 1);
  return s.saleId;
}

const settled = (f: Fixture, saleId: string) => () => ['done', 'attention', 'refused'].includes(f.rt.store.outbox.forSale(saleId)[0]?.state ?? '');

interface LookupFault {
  name: string;
  spec: Omit<FaultSpec, 'backend' | 'method' | 'path' | 'times'>;
  /** The HTTP status the evidence shows, where the lookup got one. */
  status?: number;
}

const LOOKUP_FAULTS: LookupFault[] = [
  { name: '403', spec: { fault: 'status', status: 403 }, status: 403 },
  { name: '404', spec: { fault: 'status', status: 404 }, status: 404 },
  { name: '500', spec: { fault: 'status', status: 500 }, status: 500 },
  { name: 'times out', spec: { fault: 'timeout' } },
  { name: 'is unreadable', spec: { fault: 'malformed' } },
];

describe.concurrent('fault matrix: the lookup after a lost answer', CEILING, () => {
  for (const p of PROGRAMS) {
    describe(p.backend, () => {
      it('control: no fault on the lookup, it finds the redemption applied (posted once, reconciled)', async ({ expect }) => {
        await withFixture(p.backend, async (f) => {
          const saleId = await redeemAnswerLost(expect, f, p);
          f.pastDeadline();
          await until(settled(f, saleId), 40_000, 'row settled');
          expect(f.rt.store.outbox.forSale(saleId)[0]?.state).toBe('done');
          expect((await f.rt.service.getSale({ saleId })).state).toBe('posted');
          expect(p.redemptions(f)).toBe(1);
        });
      });

      for (const lf of LOOKUP_FAULTS) {
        it(`the lookup ${lf.name}: cannot tell; held for a manager with the evidence, not refused, never sent again`, async ({ expect }) => {
          await withFixture(p.backend, async (f) => {
            // Once only: a lookup asked again would find it; the first failure must already be "cannot tell".
            f.sandbox.faults.add({ backend: p.backend, method: 'GET', path: p.lookup, times: 1, ...lf.spec });
            const saleId = await redeemAnswerLost(expect, f, p);
            f.pastDeadline();
            await until(settled(f, saleId), 40_000, 'row settled');
            const row = f.rt.store.outbox.forSale(saleId)[0]!;
            expect(row).toMatchObject({ state: 'attention', needs_check: 1 });
            const sale = await f.rt.service.getSale({ saleId });
            expect(sale.state, 'the points are gone at the backend: not refused').toBe('queued');
            expect(sale.redemption).toBe('attention');
            const item = (await f.rt.desk.listAttention({})).items.find((i) => i.saleId === saleId);
            expect(item?.inDoubt?.lookups.at(-1)).toMatchObject({ outcome: 'cannot-tell', ...(lf.status ? { status: lf.status } : {}) });
            expect(item?.inDoubt?.sends.length).toBeGreaterThan(0);
            expect(p.redemptions(f), 'never sent a second time').toBe(1);
          });
        });
      }
    });
  }
});

/** Seeds `count` GafaPay redemptions of `points` for Aisha, `agoMs` ago on the emulator's clock (as if from another till). */
function seedGafapay(sandbox: RunningSandbox, offset: { ms: number }, count: number, pointsMilli: number, agoMs: number): void {
  const st = sandbox.backends.gafapay.state;
  const user = st.user(aisha.userId)!;
  const wallet = st.wallet(aisha.walletId)!;
  const cfg = st.configsFor(user.userType, wallet.currencyId)[0]!;
  st.setPoints(aisha.userId, user.pointsMilli + count * pointsMilli);
  offset.ms = -agoMs;
  try {
    for (let i = 0; i < count; i++) st.redeem({ user, wallet, cfg, pointsMilli, debitAccountTypeId: 'seed', requestId: null });
  } finally {
    offset.ms = 0;
  }
}

describe.concurrent('fault matrix: the lookup reads the whole window, in no assumed order', CEILING, () => {
  it('GafaPay: 120 earlier redemptions of the same points, listed oldest first: the lost one is on the third page and is found', async ({ expect }) => {
    const gafapay = PROGRAMS.find((x) => x.backend === 'gafapay')!;
    await withFixture(
      'gafapay',
      async (f) => {
        await controlFetch(f.sandbox, 'POST', '/gafapay/forms', { historyOrder: 'oldest-first' });
        const saleId = await redeemAnswerLost(expect, f, gafapay);
        f.pastDeadline();
        await until(settled(f, saleId), 40_000, 'row settled');
        expect(f.rt.store.outbox.forSale(saleId)[0]?.state).toBe('done');
        expect((await f.rt.service.getSale({ saleId })).state).toBe('posted');
        expect(gafapay.redemptions(f)).toBe(121); // three pages of 50
      },
      { before: (sb, offset) => seedGafapay(sb, offset, 120, 40_000, 60 * MINUTE) },
    );
  });
});

describe.concurrent('fault matrix: the terminal clock 10 minutes off', CEILING, () => {
  for (const skewMin of [10, -10]) {
    const label = skewMin > 0 ? 'ahead' : 'behind';
    it(`UiTPAS, terminal ${label}: its own redemption is found (window on UiTPAS's clock), another till's from 5 minutes earlier is not taken for it`, async ({
      expect,
    }) => {
      const uitpas = PROGRAMS.find((x) => x.backend === 'uitpas')!;
      await withFixture(
        'uitpas',
        async (f) => {
          const saleId = await redeemAnswerLost(expect, f, uitpas);
          f.pastDeadline();
          await until(settled(f, saleId), 40_000, 'row settled');
          expect(f.rt.store.outbox.forSale(saleId)[0]?.state, 'found: neither resent (ahead) nor ambiguous (behind)').toBe('done');
          expect((await f.rt.service.getSale({ saleId })).state).toBe('posted');
          expect(uitpas.redemptions(f)).toBe(2);
        },
        {
          terminalSkewMs: skewMin * MINUTE,
          before: (sb, offset) => {
            offset.ms = -5 * MINUTE;
            try {
              sb.backends.uitpas.state.redeem(UITPAS_DEMO_REWARDS.ticket.id, jan.uitpasNumber, 'another-till');
            } finally {
              offset.ms = 0;
            }
          },
        },
      );
    });

    it(`GafaPay, terminal ${label}: its own redemption is found (window on GafaPay's clock), another till's from 7 minutes earlier is not taken for it`, async ({
      expect,
    }) => {
      const gafapay = PROGRAMS.find((x) => x.backend === 'gafapay')!;
      await withFixture(
        'gafapay',
        async (f) => {
          const saleId = await redeemAnswerLost(expect, f, gafapay);
          f.pastDeadline();
          await until(settled(f, saleId), 40_000, 'row settled');
          expect(f.rt.store.outbox.forSale(saleId)[0]?.state, 'found, not ambiguous nor missed').toBe('done');
          expect((await f.rt.service.getSale({ saleId })).state).toBe('posted');
          expect(gafapay.redemptions(f)).toBe(2);
        },
        { terminalSkewMs: skewMin * MINUTE, before: (sb, offset) => seedGafapay(sb, offset, 1, 40_000, 7 * MINUTE) },
      );
    });
  }
});
