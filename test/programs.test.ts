/**
 * "A sixth program is one descriptor, one adapter, one emulator": every
 * descriptor in shared/programs has an adapter in the registry, an emulator
 * folder in sandbox/ with training connection values that pass the same
 * checks a manager's values do, and no other source file keeps its own list
 * of program ids (the lists that used to live in domain.ts, the contract,
 * the settings form and screen).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../electron/adapters/registry.js';
import { BACKEND_IDS } from '../shared/contract/manager.js';
import { NETWORK_FIELDS, PROGRAM_IDS, PROGRAMS, allFields } from '../shared/programs/index.js';
import { checkConnection } from '../shared/programs/check.js';
import { DEFAULT_EXTRACT_PATTERNS } from '../shared/scan-read.js';
import { TRAINING_CONNECTIONS } from '../sandbox/training.js';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

describe('one descriptor per program', () => {
  it('derives the contract enum from the descriptors', () => {
    expect([...BACKEND_IDS]).toEqual(PROGRAMS.map((p) => p.id));
  });

  it.each(PROGRAM_IDS)('%s has an adapter, an emulator folder and training values that pass the go-live checks', (id) => {
    const p = PROGRAMS.find((d) => d.id === id)!;
    expect(typeof ADAPTERS[id]).toBe('function');
    expect(existsSync(join(root, 'sandbox', id))).toBe(true);
    const values = TRAINING_CONNECTIONS[id]('http://127.0.0.1:9');
    const { problems } = checkConnection(p, values);
    expect(problems).toEqual([]);
    // The adapter built from connection values alone says it is this program.
    const adapter = ADAPTERS[id](values, {});
    expect(adapter.info.id).toBe(id);
    expect(adapter.info.name).toBe(p.name);
    expect(adapter.info.capabilities.redemption).toBe(p.capabilities.redemption);
    expect(adapter.info.capabilities.identifiers).toEqual(p.capabilities.identifiers);
    // The store's network fields (the extra CA) come last in every program's connection.
    expect(p.connection.slice(-NETWORK_FIELDS.length)).toEqual(NETWORK_FIELDS);
    // Field keys are unique within a program: connection and program settings share one record.
    const keys = allFields(p).map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("the scan reader's default patterns are the descriptors' (kept apart for the renderer's first paint)", () => {
    const fromDescriptors = Object.fromEntries(PROGRAMS.flatMap((p) => ('scanPattern' in p && p.scanPattern ? [[p.id, p.scanPattern]] : [])));
    expect(DEFAULT_EXTRACT_PATTERNS).toEqual(fromDescriptors);
  });

  it('no other source file lists the programs by hand', () => {
    const ids = PROGRAM_IDS.map((id) => `'${id}'`);
    const offenders: string[] = [];
    for (const dir of ['electron', 'shared', 'renderer/src']) {
      for (const file of sourceFiles(join(root, dir))) {
        const rel = relative(root, file);
        if (rel.startsWith('shared/programs/')) continue;
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (ids.filter((id) => line.includes(id)).length >= 3) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(offenders).toEqual([]);
  });
});
