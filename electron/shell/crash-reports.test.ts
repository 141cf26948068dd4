/**
 * Crash reports with Electron's crashReporter, app and dialog as recording
 * stand-ins (the Electron binary cannot run here) and real files: the data
 * directory, Crashpad-style minidump folders, the terminal's log.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, CrashReporter, Dialog } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { installLog, type InstalledLog } from '../log/logger.js';
import { CRASH_DIR } from '../maintenance-files.js';
import { RUN_MARKER_FILE, startCrashReports } from './crash-reports.js';

function fakeElectron() {
  const started: unknown[] = [];
  const paths: Record<string, string> = {};
  const dialogs: Array<{ title: string; message: string; detail: string }> = [];
  const app = Object.assign(new EventEmitter(), { setPath: (name: string, p: string) => void (paths[name] = p) });
  return {
    started,
    paths,
    dialogs,
    app,
    electron: {
      crashReporter: { start: (o: unknown) => void started.push(o) } as unknown as CrashReporter,
      app: app as unknown as App,
      dialog: {
        showMessageBox: (_w: unknown, o: { title: string; message: string; detail: string }) => {
          dialogs.push(o);
          return Promise.resolve({ response: 0, checkboxChecked: false });
        },
      } as unknown as Dialog,
    },
  };
}

let tmp: ReturnType<typeof makeTempDir>;
let installed: InstalledLog | null = null;
beforeEach(() => {
  tmp = makeTempDir('pwp-crash-');
});
afterEach(() => {
  installed?.close();
  installed = null;
  tmp.cleanup();
});

const clock = () => Date.parse('2026-12-06T08:00:00Z');
const win = {} as never;

describe('crash reports', () => {
  it('keeps minidumps on this PC, and at the next start says and logs that the terminal crashed, once', () => {
    const e = fakeElectron();
    const first = startCrashReports(e.electron, { dataDir: tmp.dir, clock, extra: { terminal: 'T-1' } });
    expect(e.paths.crashDumps).toBe(join(tmp.dir, CRASH_DIR));
    expect(e.started).toEqual([
      { productName: 'Pay with Points', companyName: 'Pay with Points', uploadToServer: false, compress: true, globalExtra: { terminal: 'T-1' } },
    ]);
    expect(first.finding).toBeNull();
    first.notify(win);
    expect(e.dialogs).toEqual([]);
    expect(existsSync(join(tmp.dir, RUN_MARKER_FILE))).toBe(true);

    // The run dies: Crashpad leaves a dump in completed/, the run marker stays.
    mkdirSync(join(first.dumpDir, 'completed'), { recursive: true });
    writeFileSync(join(first.dumpDir, 'completed', '3f1c0c1e-main.dmp'), Buffer.alloc(2048, 1));

    const logDir = join(tmp.dir, 'logs');
    installed = installLog({ dir: logDir });
    const e2 = fakeElectron();
    const second = startCrashReports(e2.electron, { dataDir: tmp.dir, clock });
    expect(second.finding).toMatchObject({
      foundAt: '2026-12-06T08:00:00.000Z',
      uncleanRunStartedAt: '2026-12-06T08:00:00.000Z',
      dumps: [{ file: join('completed', '3f1c0c1e-main.dmp'), bytes: 2048 }],
      uploading: false,
    });
    second.notify(win);
    expect(e2.dialogs).toHaveLength(1);
    expect(e2.dialogs[0].message).toBe('Pay with Points did not close normally last time (the run started 2026-12-06T08:00:00.000Z).');
    expect(e2.dialogs[0].detail).toMatch(/^1 crash report\(s\) were saved on this PC\. /);

    // A window process crash while running is logged too.
    e2.app.emit('render-process-gone', {}, {}, { reason: 'crashed', exitCode: 139 });
    second.cleanExit();
    installed.close();
    installed = null;
    const lines = readdirSync(logDir).flatMap((f) =>
      readFileSync(join(logDir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(lines.find((l) => l.msg === 'the terminal did not close cleanly last time')).toMatchObject({ scope: 'crash', dumps: [{ bytes: 2048 }] });
    expect(lines.find((l) => l.msg === 'the window process ended')).toMatchObject({ reason: 'crashed', exitCode: 139 });

    // A clean exit and no new dump: nothing to say at the third start (the old dump is not reported again).
    const third = startCrashReports(fakeElectron().electron, { dataDir: tmp.dir, clock });
    expect(third.finding).toBeNull();

    // A crash without any dump (power cut): still said, with no report to send.
    const fourth = startCrashReports(fakeElectron().electron, { dataDir: tmp.dir, clock });
    expect(fourth.finding).toEqual({ foundAt: '2026-12-06T08:00:00.000Z', uncleanRunStartedAt: '2026-12-06T08:00:00.000Z', dumps: [], uploading: false });
  });

  it('uploads only to an endpoint that is named and safe (Sentry minidump endpoint or a Crashpad server)', () => {
    const sentry = 'https://o11.ingest.sentry.io/api/42/minidump/?sentry_key=abc123';
    const e = fakeElectron();
    startCrashReports(e.electron, { dataDir: tmp.dir, submitUrl: sentry, clock });
    expect(e.started[0]).toMatchObject({ submitURL: sentry, uploadToServer: true });

    for (const bad of ['http://crash.example.com/submit', 'https://user:pw@crash.example.com/submit', 'not a url']) {
      const b = fakeElectron();
      startCrashReports(b.electron, { dataDir: tmp.dir, submitUrl: bad, clock });
      expect(b.started[0]).toMatchObject({ uploadToServer: false });
      expect(b.started[0]).not.toHaveProperty('submitURL');
    }
  });
});
