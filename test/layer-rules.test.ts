/**
 * The layer rules are enforced by the tools that run in `npm test` (the per-layer tsconfigs
 * and ESLint), not only by this file: these tests plant a violation in each layer, in
 * memory, and check that the real configuration refuses it.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Type-checks one in-memory file as if it lay at `relPath`, under the layer's tsconfig. */
function typeErrors(tsconfig: string, relPath: string, source: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, tsconfig),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  )!;
  const planted = join(ROOT, relPath);
  const options = { ...parsed.options, composite: false, declaration: false, emitDeclarationOnly: false, noEmit: true, noUnusedLocals: false };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (f === planted ? source : readFile(f));
  host.fileExists = (f) => f === planted || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) => (f === planted ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, ...rest));
  const program = ts.createProgram({ rootNames: [planted], options, host });
  // Only the planted file's diagnostics: checking every declaration file of the layer too
  // (getPreEmitDiagnostics) cost seconds and could only add errors that are not its own.
  const file = program.getSourceFile(planted)!;
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

async function lintErrors(relPath: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, relPath) });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

// Each check builds a TypeScript program or an ESLint instance over the real configuration:
// seconds of CPU, not a timing assertion.
describe('layer rules', { timeout: 120_000 }, () => {
  it('shared/ has no DOM and no Node globals', () => {
    const errors = typeErrors(
      'tsconfig.shared.json',
      'shared/__planted__.ts',
      'export const a = document.title + String(process.env.X) + Buffer.from("x").length;\n',
    );
    expect(errors.join('\n')).toMatch(/Cannot find name 'document'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'process'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'Buffer'/);
  });

  it('electron/ has no DOM globals; the renderer has no Node globals', () => {
    expect(typeErrors('tsconfig.electron.json', 'electron/__planted__.ts', 'export const t = document.title;\n').join('\n')).toMatch(
      /Cannot find name 'document'/,
    );
    expect(typeErrors('tsconfig.renderer.json', 'renderer/src/__planted__.ts', 'export const t = process.env.X;\n').join('\n')).toMatch(
      /Cannot find name 'process'/,
    );
  });

  it('a clean file passes the same checks (the check itself works)', () => {
    expect(typeErrors('tsconfig.shared.json', 'shared/__planted__.ts', 'export const a: number = [1, 2].length;\n')).toEqual([]);
  });

  it('ESLint refuses Node, database and Electron imports where a layer forbids them', async () => {
    expect(await lintErrors('shared/__planted__.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports/),
    ]);
    expect(await lintErrors('shared/__planted__.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports/),
    ]);
    expect(await lintErrors('renderer/src/__planted__.ts', "import { x } from '../../electron/runtime.js';\nexport const y = x;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports/),
    ]);
    expect(await lintErrors('electron/service/__planted__.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports/),
    ]);
    // The shell may import electron; a relative path through electron/ is not the electron module.
    expect(await lintErrors('electron/shell/__planted__.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
    expect(await lintErrors('sandbox/__planted__.ts', "import { x } from '../electron/adapters/types.js';\nexport const y = x;\n")).toEqual([]);
  });
});
