/**
 * The renderer's initial JavaScript, gzipped: the scripts index.html loads
 * up front (module preloads included), not the chunks loaded on demand (the
 * camera scanner).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Figure } from './stats.js';

/** Issue 18's target for a cheap counter PC (it was 200 KB). */
export const RENDERER_TARGET_KB = 120;

export function initialScripts(rendererDir: string): string[] {
  const html = readFileSync(join(rendererDir, 'index.html'), 'utf8');
  const srcs = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set(srcs)].map((s) => resolve(rendererDir, s.replace(/^\.?\//, '')));
}

export function measureRendererSize(rendererDir: string): Figure[] {
  const files = initialScripts(rendererDir);
  if (files.length === 0) throw new Error(`no scripts found in ${rendererDir}/index.html: build the renderer first`);
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const buf = readFileSync(f);
    raw += buf.length;
    gz += gzipSync(buf, { level: 9 }).length;
  }
  return [
    { name: `renderer initial JS (${files.length} file(s)), raw`, value: raw / 1024, unit: 'KB' },
    { name: 'renderer initial JS, gzipped', value: gz / 1024, unit: 'KB', target: `< ${RENDERER_TARGET_KB} KB`, ok: gz / 1024 < RENDERER_TARGET_KB },
  ];
}
