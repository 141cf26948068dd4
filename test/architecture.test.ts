/**
 * The layering rules (VS Code's "common code never imports platform code"):
 *  - shared/ imports nothing from electron/ or renderer/, and no Node built-ins;
 *  - renderer/ imports nothing from electron/ and no Node built-ins;
 *  - only electron/shell/ imports the `electron` module;
 *  - the terminal service, store and adapters never import `electron`;
 *  - shipped code (electron/, renderer/src, shared/) never calls console.*: it
 *    goes through the redacting log (electron/log/logger.ts), or, in the
 *    renderer, to that log through the contract's reportClientError.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
}

const NODE_BUILTIN = /^node:|^(fs|path|crypto|http|https|net|os|child_process|url|util|stream|zlib)$/;

describe('architecture', () => {
  it('shared/ is platform-free', () => {
    const bad = sources('shared').flatMap((f) =>
      imports(f)
        .filter(
          (i) =>
            NODE_BUILTIN.test(i) || i === 'electron' || /(^|\/)\.\.\/(electron|renderer)\//.test(i) || i.includes('/electron/') || i.includes('/renderer/'),
        )
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('renderer/ reaches the terminal only through the contract', () => {
    // vite.config.ts is build tooling that runs in Node, not part of the renderer.
    const bad = sources('renderer')
      .filter((f) => !f.endsWith('vite.config.ts'))
      .flatMap((f) =>
        imports(f)
          .filter((i) => NODE_BUILTIN.test(i) || i === 'electron' || /\/electron\//.test(i) || i === 'better-sqlite3')
          .map((i) => `${f} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  it('only electron/shell/ imports the electron module', () => {
    const bad = sources('electron')
      .filter((f) => relative('electron/shell', f).startsWith('..'))
      .flatMap((f) =>
        imports(f)
          .filter((i) => i === 'electron' || i.startsWith('electron/'))
          .map((i) => `${f} imports ${i}`),
      );
    expect(bad).toEqual([]);
  });

  it('shipped code logs through the redacting log, never console.*', () => {
    const bad = [...sources('electron'), ...sources('renderer/src'), ...sources('shared')].filter((f) =>
      /\bconsole\.(log|info|warn|error|debug|trace)\s*\(/.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(bad).toEqual([]);
  });

  it('finds the files it checks (the rules cannot pass vacuously)', () => {
    expect(sources('shared').length).toBeGreaterThan(5);
    expect(sources('renderer').length).toBeGreaterThan(5);
    expect(imports('electron/runtime.ts').length).toBeGreaterThan(3);
  });
});
