/**
 * Live mode loads no emulator: a terminal started live (in its own process,
 * with a hook recording every module it resolves) imports nothing from
 * sandbox/ and opens no port, while the same start in training does both
 * (so the check can fail).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveLiveConnection } from './service/live-connection.js';
import { FileKeySecretBox, SECRET_KEY_FILE } from './service/secret-box.js';
import { databaseFile, writeMode } from './mode.js';
import { Store } from './store/store.js';
import { startSandbox, TRAINING_CONNECTIONS, type RunningSandbox } from '../sandbox/training.js';
import { makeTempDir } from '../test/temp-dir.js';

const root = join(import.meta.dirname, '..');
let program: RunningSandbox;
let tmp: ReturnType<typeof makeTempDir>;

beforeAll(async () => {
  program = await startSandbox({ port: 0 });
  tmp = makeTempDir();
});
afterAll(async () => {
  await program.close();
  tmp.cleanup();
});

// Asynchronous: the program's emulator runs in this process and must keep answering.
async function startChild(dataDir: string): Promise<{ mode: string; listens: number; status: { ok: boolean; value?: { mode?: string } }; imports: string[] }> {
  mkdirSync(dataDir, { recursive: true });
  const log = `${dataDir}.imports.log`;
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    ['--import', join(root, 'test/isolation/record-imports.mjs'), '--import', 'tsx', join(root, 'test/isolation/start-runtime.ts'), dataDir],
    {
      cwd: root,
      env: { ...process.env, PWP_IMPORT_LOG: log },
      timeout: 60_000,
    },
  );
  const imports = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { ...(JSON.parse(out.trim().split('\n').pop()!) as { mode: string; listens: number; status: { ok: boolean } }), imports };
}

const sandboxModules = (imports: string[]) => imports.filter((u) => u.startsWith('file:') && u.includes('/sandbox/'));

describe('live mode and the emulators', () => {
  it('training loads the emulators and opens their port (the control case)', async () => {
    const dir = join(tmp.dir, 'training');
    const r = await startChild(dir);
    expect(r.mode).toBe('training');
    expect(sandboxModules(r.imports).length).toBeGreaterThan(0);
    expect(r.listens).toBeGreaterThan(0);
  });

  it('live imports no sandbox module and opens no port', async () => {
    const dir = join(tmp.dir, 'live');
    const store = Store.open(databaseFile(dir, 'live'));
    saveLiveConnection(store, new FileKeySecretBox(join(dir, SECRET_KEY_FILE)), 'whitelabel', TRAINING_CONNECTIONS.whitelabel(program.url));
    store.close();
    writeMode(dir, 'live');
    const r = await startChild(dir);
    expect(r.mode).toBe('live');
    expect(r.status).toMatchObject({ ok: true, value: { mode: 'live', connectionProblem: null } });
    expect(sandboxModules(r.imports)).toEqual([]);
    expect(r.imports.some((u) => u.includes('/electron/runtime.ts'))).toBe(true);
    expect(r.listens).toBe(0);
  });
});
