/**
 * The terminal service in its own process (issue 17; `npm run web --
 * --service-process`, as the Electron app runs it in a utility process). The
 * service is killed with SIGKILL while a member look-up is held at the
 * program: the cashier reads one clear answer for the look-up ("the terminal
 * restarted ... not known whether it was done"), the status bar says the
 * terminal is restarting, and once it is back the counter asks for a sign-in
 * (a new process) and works again on the same data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { MTID } from '../renderer/src/manager-testids.js';
import { TID } from '../renderer/src/testids.js';
import { expect, STAFF, test } from './fixtures.js';
import { identify, startSale } from './counter-helpers.js';
import { tid } from './tid.js';

test.use({ terminalArgs: ['--service-process'] });

test('a crashed terminal service: the counter says it is restarting, the call in flight gets one clear answer, the service comes back', async ({
  counter: page,
  sandbox,
  terminal,
  staff,
}) => {
  await startSale(page, '10');
  const hold = sandbox.faults.add({ backend: 'whitelabel', method: 'GET', fault: 'hold', times: 1 });
  await identify(page, DEMO_MEMBERS.anna.cardNumber);
  await sandbox.faults.whenHeld(hold.id, 1);

  // The service process holds the data directory's lock: that is the process to kill.
  const servicePid = (JSON.parse(readFileSync(join(terminal.dataDir, 'terminal.lock'), 'utf8')) as { pid: number }).pid;
  process.kill(servicePid, 'SIGKILL');
  await expect(page.locator(tid(TID.serviceRestarting))).toBeVisible();
  await expect(page.locator(tid(TID.errorMessage))).toHaveAttribute('data-code', 'TERMINAL_RESTARTED');
  sandbox.faults.release(hold.id);

  // Back: a new process, nobody signed in; the cashier signs in and the sale is still there.
  await expect(page.locator(tid(MTID.signIn))).toBeVisible({ timeout: 60_000 });
  await expect(page.locator(tid(TID.serviceRestarting))).toHaveCount(0);
  await terminal.call('signIn', { personId: staff.managerId, pin: STAFF.manager.pin });
  const { sales } = await terminal.call<{ sales: { state: string; member?: unknown }[] }>('listSales', { limit: 10 });
  // The look-up never reached the database: the sale is open, with no member.
  expect(sales.map((s) => [s.state, s.member ?? null])).toEqual([['open', null]]);
});
