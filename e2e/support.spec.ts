/**
 * Running a store, end to end in Chromium: an error the screen did not catch
 * reaches the terminal's log file through the contract, and the manager's
 * support bundle downloads as one zip with that log and no secret in it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { SUPPORT_TID } from '../renderer/src/screens/manager/SupportBundle.js';
import { leakedSecrets, SECRETS } from '../test/secrets-fixture.js';
import { managerSignsIn } from './desk-helpers.js';
import { expect, test } from './fixtures.js';
import { tid } from './tid.js';

test('a screen error lands in the log; the support bundle holds it, redacted', async ({ counter: page, terminal, staff }) => {
  const logFile = join(terminal.dataDir, 'logs', 'terminal.log');
  await page.evaluate((s) => {
    void Promise.reject(new Error(`member ${s.member} lookup failed, apiKey=${s.apiKey}`));
  }, SECRETS);
  await expect.poll(() => readFileSync(logFile, 'utf8')).toContain('unhandled promise rejection in the screen');
  const line = readFileSync(logFile, 'utf8')
    .split('\n')
    .find((l) => l.includes('"scope":"renderer"'))!;
  expect(line).toContain('••••••••0016 lookup failed');
  expect(leakedSecrets(line)).toEqual([]);

  await managerSignsIn(page, staff.managerId, 'export');
  await page.locator(tid(SUPPORT_TID.make)).click();
  const href = await page.locator(tid(SUPPORT_TID.link)).getAttribute('href');
  expect(href).toMatch(/\/api\/export\/support_[^/]+\.zip\?ticket=/);
  const res = await fetch(href!);
  expect(res.headers.get('content-type')).toBe('application/zip');
  const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['versions.json', 'settings.json', 'log-verification.json', 'queue.json', 'logs/terminal.log']));
  const log = strFromU8(files['logs/terminal.log']!);
  expect(log).toContain('unhandled promise rejection in the screen');
  for (const [name, bytes] of Object.entries(files)) expect(leakedSecrets(strFromU8(bytes)), name).toEqual([]);
  expect((await fetch(href!)).status).toBe(410); // once
});
