/** The log as written on disk: JSON lines, level, redaction, rotation by size, time and age. */
import { readFileSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { installLog, logger, routeConsoleToLog, setLogLevel, type InstalledLog } from './logger.js';
import { SECRETS } from '../../test/secrets-fixture.js';
import { listLogFiles, RotatingFile } from './rotating-file.js';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the terminal log', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() =>
    cleanups
      .splice(0)
      .reverse()
      .forEach((c) => c()),
  );
  function install(limits = {}, now?: () => number): { dir: string; installed: InstalledLog } {
    const tmp = makeTempDir();
    const installed = installLog({ dir: join(tmp.dir, 'logs'), level: 'info', limits, now });
    cleanups.push(tmp.cleanup, () => installed.close());
    return { dir: join(tmp.dir, 'logs'), installed };
  }

  it('writes redacted JSON lines at the configured level, errors with their stack and request dump', () => {
    const { installed } = install();
    const log = logger('adapter');
    log.debug('not written at info');
    log.info(`looked up member ${SECRETS.member}`, { memberNumber: SECRETS.member, ms: 12 });
    const err = Object.assign(new Error(`401 for Bearer ${SECRETS.token} (pin=${SECRETS.pin})`), {
      request: {
        url: `https://api.example/v1?apiKey=${SECRETS.apiKey}`,
        headers: { authorization: `Basic ${SECRETS.clientSecret}` },
        body: { card: SECRETS.card, email: SECRETS.email },
      },
    });
    log.error('redeem failed', err);
    setLogLevel('debug');
    log.debug('now written', { token: SECRETS.jwt });

    const raw = readFileSync(installed.currentFile, 'utf8');
    for (const s of Object.values(SECRETS)) expect(raw).not.toContain(s);
    const got = lines(installed.currentFile);
    expect(got.map((l) => [l.level, l.scope, l.msg])).toEqual([
      ['info', 'adapter', 'looked up member ••••••••0016'],
      ['error', 'adapter', 'redeem failed'],
      ['debug', 'adapter', 'now written'],
    ]);
    expect(got[0]).toMatchObject({ memberNumber: '••••••••0016', ms: 12 });
    const e = got[1]!.err as { stack: string; request: { body: { card: string } } };
    expect(e.stack).toMatch(/^Error: 401 for Bearer \[redacted\]/);
    expect(e.stack).toContain('logger.test.ts');
    expect(e.request.body.card).toBe('••••••••1111');
    expect(typeof got[0]!.time).toBe('string');
  });

  it('routes console.* into the log', () => {
    const { installed } = install();
    const restore = routeConsoleToLog();
    try {
      console.error('[outbox] failed for', { memberNumber: SECRETS.member }, new Error('boom'));
      console.log(`url http://127.0.0.1:1/#token=${SECRETS.token}`);
    } finally {
      restore();
    }
    const raw = readFileSync(installed.currentFile, 'utf8');
    expect(raw).not.toContain(SECRETS.member);
    expect(raw).not.toContain(SECRETS.token);
    expect(lines(installed.currentFile).map((l) => [l.level, l.scope])).toEqual([
      ['error', 'console'],
      ['info', 'console'],
    ]);
  });

  it('rotates by size and keeps at most maxFiles', () => {
    const { dir, installed } = install({ maxBytes: 2000, maxFiles: 3 });
    const log = logger('bulk');
    for (let i = 0; i < 60; i++) log.info(`line ${i} ${'x'.repeat(100)}`);
    const files = listLogFiles(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['terminal.log', 'terminal.1.log', 'terminal.2.log']);
    for (const f of files) expect(readFileSync(f).length).toBeLessThanOrEqual(2000);
    // The newest line is in the current file; the oldest ones are gone, none is split.
    expect(lines(installed.currentFile).at(-1)!.msg).toMatch(/^line 59 /);
    const kept = files.flatMap((f) => lines(f).map((l) => Number(/^line (\d+)/.exec(l.msg as string)![1])));
    expect(Math.max(...kept)).toBe(59);
    expect(kept).not.toContain(0);
  });

  it('starts a new file after maxFileHours and deletes rotated files older than maxAgeDays', () => {
    let now = Date.parse('2026-12-01T08:00:00Z');
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const dir = join(tmp.dir, 'logs');
    mkdirSync(dir);
    // A rotated file from 40 days ago and one from yesterday, as a terminal would leave them.
    writeFileSync(join(dir, 'terminal.1.log'), '{"msg":"yesterday"}\n');
    writeFileSync(join(dir, 'terminal.2.log'), '{"msg":"40 days ago"}\n');
    utimesSync(join(dir, 'terminal.1.log'), new Date(now - 86_400_000), new Date(now - 86_400_000));
    utimesSync(join(dir, 'terminal.2.log'), new Date(now - 40 * 86_400_000), new Date(now - 40 * 86_400_000));

    const file = new RotatingFile(dir, { maxAgeDays: 30, maxFileHours: 24 }, () => now);
    cleanups.push(() => file.close());
    expect(listLogFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(['terminal.log', 'terminal.1.log']);
    file.write('{"msg":"day 1"}\n');
    now += 23 * 3_600_000;
    file.write('{"msg":"day 1, later"}\n');
    expect(lines(file.currentPath)).toHaveLength(2);
    now += 2 * 3_600_000;
    file.write('{"msg":"day 2"}\n');
    expect(lines(file.currentPath).map((l) => l.msg)).toEqual(['day 2']);
    expect(lines(join(dir, 'terminal.1.log')).map((l) => l.msg)).toEqual(['day 1', 'day 1, later']);
    expect(lines(join(dir, 'terminal.2.log')).map((l) => l.msg)).toEqual(['yesterday']);
  });

  it('refuses limits that would never rotate', () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    expect(() => new RotatingFile(tmp.dir, { maxBytes: 0 })).toThrow(/positive/);
  });
});
