/**
 * The checkout with the other free-amount backends, through the service and
 * the real sandbox: Capillary's validation code and reversal, GafaPay's
 * cashback and its missing reversal ("manual action needed").
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../runtime.js';
import { startTestTerminal, type ManagerApproval, type TestTerminal } from '../../test/test-terminal.js';
import { CAPILLARY_DEMO_CUSTOMERS } from '../../sandbox/capillary/demo.js';
import { GAFAPAY_DEMO_USERS, gafapayAppCode } from '../../sandbox/gafapay/demo.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { controlFetch } from '../../sandbox/control-client.js';
import { until } from '../../test/until.js';

let t: TestTerminal | undefined;
let sandbox: RunningSandbox;
let rt: Runtime;

async function start(backend: string): Promise<ManagerApproval> {
  t = await startTestTerminal({ backend, reason: 'customer returned the goods', tuning: { postWaitMs: 3000, requestTimeoutMs: 1500 } });
  ({ sandbox, rt } = t);
  return t.manager;
}
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};
describe('Capillary through the service', () => {
  it('asks for the validation code, refuses a wrong one without committing, accepts the right one, and a void reverses', async () => {
    const approval = await start('capillary');
    const priya = CAPILLARY_DEMO_CUSTOMERS.priya;
    const sale = await rt.service.startSale({ basketCents: 10_000 });
    const v = await rt.service.identifyMember({ saleId: sale.id, input: `+${priya.mobile}`, source: 'keyboard' });
    expect(v.member?.balanceMilli).toBe(2500_500);
    expect(v.terms?.decimals).toBe(3);
    await rt.service.quote({ saleId: sale.id, pointsMilli: 100_250 }); // 100.25 points
    expect(await codeOf(rt.service.confirmRedemption({ saleId: sale.id, pointsMilli: 100_250 }))).toBe('VALIDATION_CODE_REQUIRED');
    const sent = await rt.service.requestValidationCode({ saleId: sale.id });
    expect(sent.validationCode?.pointsMilli).toBe(100_250);
    const res = await controlFetch(sandbox, 'GET', `/capillary/validation-code?mobile=${priya.mobile}`);
    const { code } = (await res.json()) as { code: string };
    const wrong = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    expect(await codeOf(rt.service.confirmRedemption({ saleId: sale.id, pointsMilli: 100_250, validationCode: wrong }))).toBe('VALIDATION_CODE_WRONG');
    expect(rt.store.outbox.forSale(sale.id)).toHaveLength(0); // nothing committed
    const again = await rt.service.requestValidationCode({ saleId: sale.id }); // "send again" gives the same code
    expect(again.validationCode?.pointsMilli).toBe(100_250);
    const code2 = ((await (await controlFetch(sandbox, 'GET', `/capillary/validation-code?mobile=${priya.mobile}`)).json()) as { code: string }).code;
    expect(code2).toBe(code);
    const posted = await rt.service.confirmRedemption({ saleId: sale.id, pointsMilli: 100_250, validationCode: code.toLowerCase() });
    expect(posted.state).toBe('posted');
    expect(posted.quote?.discount.cents).toBe(1002); // 100.25 points at 0.1 = 10.025 -> 10.02
    await rt.service.markPaid({ saleId: sale.id });
    const voided = await rt.service.voidSale({ saleId: sale.id, approval });
    expect(voided.state).toBe('voided');
    await until(async () => (await rt.service.getSale({ saleId: sale.id })).compensation?.state === 'done');
    const back = await rt.service.startSale({ basketCents: 100 });
    expect((await rt.service.identifyMember({ saleId: back.id, input: `+${priya.mobile}`, source: 'keyboard' })).member?.balanceMilli).toBe(2500_500);
  });

  it('never accepts a fourth decimal', async () => {
    await start('capillary');
    const sale = await rt.service.startSale({ basketCents: 10_000 });
    await rt.service.identifyMember({ saleId: sale.id, input: `+${CAPILLARY_DEMO_CUSTOMERS.priya.mobile}`, source: 'keyboard' });
    // 0.0005 points cannot even be expressed in thousandths; 1.2345 -> the contract refuses non-integers
    expect(await codeOf(rt.service.quote({ saleId: sale.id, pointsMilli: 1_234.5 as number }))).not.toBe('no error');
  });
});

describe('GafaPay through the service', () => {
  it('shows the cashback and transaction number, and a void ends in "manual action needed" on the manager list', async () => {
    const approval = await start('gafapay');
    const aisha = GAFAPAY_DEMO_USERS.aisha;
    const sale = await rt.service.startSale({ basketCents: 5_000 });
    const code = gafapayAppCode(aisha);
    const v = await rt.service.identifyMember({ saleId: sale.id, input: code, source: 'scanner' });
    expect(v.member?.balanceMilli).toBe(250_000);
    // The app code's session token is never stored or logged: only the user id is.
    const token = code.split(':')[3]!;
    expect(JSON.stringify(rt.store.sales.get(sale.id))).not.toContain(token);
    await rt.service.quote({ saleId: sale.id, pointsMilli: 100_000 });
    const posted = await rt.service.confirmRedemption({ saleId: sale.id, pointsMilli: 100_000 });
    expect(posted.state).toBe('posted');
    expect(posted.result?.detail).toMatchObject({ cashbackCents: 100 });
    // The points become wallet cashback, so nothing comes off the basket: never both.
    expect(posted.quote?.discount.cents).toBe(0);
    expect(posted.quote?.cashback?.cents).toBe(100);
    expect(posted.quote?.toPay.cents).toBe(5_000);
    expect(posted.result?.detail?.txnNumber).toBeTruthy();
    await rt.service.markPaid({ saleId: sale.id });
    const voided = await rt.service.voidSale({ saleId: sale.id, approval });
    expect(voided.state).toBe('voided');
    expect(voided.compensation?.state).toBe('manual-action');
    expect(voided.compensation?.message).toContain(String(posted.result?.detail?.txnNumber));
    expect(rt.store.outbox.counts().attention).toBe(1);
    const log = (await rt.service.listLog({ limit: 30, saleId: sale.id })).entries;
    expect(JSON.stringify(log)).not.toContain(token);
    // Nowhere in the terminal's database (every table, every row).
    const tables = rt.store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    const everything = tables.map((t) => rt.store.db.prepare(`SELECT * FROM "${t.name}"`).all());
    expect(JSON.stringify(everything)).toContain(aisha.userId.slice(-4));
    expect(JSON.stringify(everything)).not.toContain(token);
    const kinds = log.map((e) => e.kind);
    expect(kinds).toContain('refund.manual-action');
  });
});
