/**
 * The scan-pattern engine (RE2, shared/scan-content.ts) for the renderer,
 * loaded on demand: it is about a quarter of the counter's JavaScript and
 * only a read that is not a plain number needs it (a URL or a line of text
 * from a member app). The app starts loading it once the counter is on
 * screen (`preloadPatternEngine`); a read that needs it before then waits for
 * it (`loadPatternEngine`). The scanner set-up screens import it directly.
 */
import type { PatternEngine } from '../../../shared/scan-read';

let engine: PatternEngine | null = null;
let loading: Promise<PatternEngine> | null = null;

/** The engine if it is loaded, else null. */
export function loadedPatternEngine(): PatternEngine | null {
  return engine;
}

/** Makes an engine the one in use (the set-up screens do, having it bundled). */
export function setPatternEngine(e: PatternEngine): void {
  engine = e;
}

/** Loads the engine (once); resolves when reads can use it. */
export function loadPatternEngine(): Promise<PatternEngine> {
  if (engine) return Promise.resolve(engine);
  loading ??= import('../../../shared/scan-content').then(
    (m) => (engine = m.RE2_ENGINE),
    (e: unknown) => {
      loading = null; // a failed chunk load is tried again on the next read
      throw e;
    },
  );
  return loading;
}

/** Starts loading the engine when the page is idle, after the first paint. */
export function preloadPatternEngine(): void {
  if (engine || loading) return;
  const start = () => void loadPatternEngine().catch(() => {});
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 2000 });
  else setTimeout(start, 200);
}
