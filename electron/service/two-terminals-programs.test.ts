/**
 * Two tills, one member, the same moment, for the programs whose backend
 * checks the balance itself (issue 20, item 6; White Label, which does not,
 * is in two-terminals.test.ts). UiTPAS refuses a reward the passholder's
 * points no longer cover (PASSHOLDER_POINTS), Capillary points above the
 * balance (803/818; here the used-up validation code comes first), GafaPay
 * likewise: the check and the deduction are one
 * step at the program, so two posts held and released together cannot both
 * be applied, and the second is refused by the program, not undone by a till.
 * Two real runtimes (two data directories) against one sandbox over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { CRASH_PROGRAM } from '../../bench/crash-programs.js';
import { startSandbox } from '../../sandbox/server.js';
import { UITPAS_DEMO_REWARDS } from '../../sandbox/uitpas/demo-data.js';
import { checkAgreement, describeAgreement } from '../../test/ledger-agreement.js';
import { startTestTerminal, type TestTerminal } from '../../test/test-terminal.js';
import type { Runtime } from '../runtime.js';

const CASES = [
  { program: 'uitpas', startMilli: 100_000, pointsMilli: 100_000, refusedWith: 'INSUFFICIENT_POINTS' }, // the exhibition reward costs 100 points
  // The member's validation code is used up by the first redemption, so Capillary refuses the
  // second on its code (808) before its points (803/818) are looked at.
  { program: 'capillary', startMilli: 1_000_000, pointsMilli: 600_000, refusedWith: 'VALIDATION_CODE_WRONG' },
  { program: 'gafapay', startMilli: 600_000, pointsMilli: 400_000, refusedWith: 'INSUFFICIENT_POINTS' }, // 10 to 500 points a time
] as const;

describe('two tills, one member, the same moment: the program itself refuses the second', () => {
  it.each(CASES)(
    '$program: either alone is covered, both posts held and released together: one is taken, the other refused, never below zero',
    async ({ program, startMilli, pointsMilli, refusedWith }) => {
      const kit = CRASH_PROGRAM[program];
      const sandbox = await startSandbox({ port: 0, seedDemo: kit.seedDemo });
      const terminals: TestTerminal[] = [];
      const tills: Runtime[] = [];
      try {
        const [member] = kit.setup(sandbox, 1);
        const m = member!;
        if (program === 'uitpas') sandbox.backends.uitpas.state.setPoints(m.key, startMilli / 1000);
        else if (program === 'capillary') sandbox.backends.capillary.state.setPoints(Number(m.key), startMilli);
        else sandbox.backends.gafapay.state.setPoints(m.key, startMilli);
        expect(kit.balances(sandbox, [m])[m.key]).toBe(startMilli);
        for (const till of ['a', 'b']) {
          const t = await startTestTerminal({
            sharedSandbox: sandbox,
            backend: program,
            tempPrefix: `pwp-two-${till}-`,
            tuning: { postWaitMs: 5000, requestTimeoutMs: 3000 },
          });
          terminals.push(t);
          tills.push(t.rt);
        }
        const api = (rt: Runtime) => ({
          call: <T>(method: string, input: unknown) => (rt.service as unknown as Record<string, (i: unknown) => Promise<T>>)[method]!(input),
        });
        const sales: Array<{ id: string; extra: Record<string, unknown> }> = [];
        for (const rt of tills) {
          const sale = await rt.service.startSale({ basketCents: 50_000 });
          const v = await rt.service.identifyMember({ saleId: sale.id, input: m.input, source: m.source });
          expect(v.member?.balanceMilli).toBe(startMilli);
          if (program === 'uitpas') await rt.service.chooseReward({ saleId: sale.id, rewardId: UITPAS_DEMO_REWARDS.exhibition.id });
          else await rt.service.quote({ saleId: sale.id, pointsMilli });
          sales.push({ id: sale.id, extra: await kit.confirmExtra(api(rt), sandbox, sale.id, m) });
        }
        const [method, path] = kit.writes[0]!;
        const hold = sandbox.faults.add({ backend: program, method, path, fault: 'hold', times: 2 });
        const confirms = Promise.all(tills.map((rt, i) => rt.service.confirmRedemption({ saleId: sales[i]!.id, pointsMilli, ...sales[i]!.extra })));
        await sandbox.faults.whenHeld(hold.id, 2); // both tills read the same balance and posted
        sandbox.faults.release(hold.id);
        const views = await confirms;
        expect(views.map((v) => v.state).sort()).toEqual(['posted', 'refused']);
        expect(views.find((v) => v.state === 'refused')?.error?.code).toBe(refusedWith);
        expect(kit.balances(sandbox, [m])[m.key]).toBe(startMilli - pointsMilli);
        const references = tills.flatMap((rt) =>
          (rt.store.db.prepare('SELECT reference FROM outbox').all() as { reference: string }[]).map((r) => r.reference),
        );
        const report = checkAgreement({
          terminals: tills.map((rt) => rt.store.db),
          ledger: kit.ledger(sandbox, [m], references),
          balances: { [m.key]: { before: startMilli, after: startMilli - pointsMilli } },
          unit: 'milli',
        });
        expect(report.problems, describeAgreement(report)).toEqual([]);
      } finally {
        for (const t of terminals) await t.close();
        await sandbox.close();
      }
    },
  );
});
