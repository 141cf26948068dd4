/**
 * The app's version from its package.json, found by walking up from this
 * module (source: electron/, bundle: dist/electron/, packaged: inside app.asar,
 * which Electron's fs reads). Read at run time rather than imported, so the
 * bundle and the type-checked layers need no JSON module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'pay-with-points-pos';
let cached: string | null = null;

export function appVersion(from = dirname(fileURLToPath(import.meta.url))): string {
  if (cached) return cached;
  for (let dir = from, i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return (cached = pkg.version);
    } catch {
      /* not ours: keep looking */
    }
  }
  return 'unknown';
}
