/**
 * Deterministic crash points for the crash harness (bench/crash-harness.ts).
 *
 * Off unless the environment arms them, e.g.
 *
 *   PWP_FAILPOINTS="before-post:0.2,after-send:0.3" PWP_FAILPOINTS_SEED=42
 *
 * Each armed point, every time the code passes it, kills the process with
 * SIGKILL with the given probability: no handler runs, nothing is flushed,
 * exactly like a power cut or the OS killing the app (the SQLite file is in
 * WAL with synchronous=FULL, so what was committed stays committed). Before
 * dying it writes one line, `[failpoint] <name>`, to stderr so the harness can
 * count where the kills landed.
 *
 * The points (all in outbox-worker.ts, one line each):
 *  - before-post   the row is committed (with its sale and log entry) and picked
 *                  for sending, not yet marked as "may have been sent";
 *  - after-mark    marked needs_check, the request has not left;
 *  - after-send    the backend answered (the change took effect, or was refused),
 *                  the answer is not stored yet: it is lost with the process;
 *  - after-settle  the answer is stored; the screens were not told.
 *
 * Unarmed, `failpoint()` is one Map lookup on an empty map.
 */
export const FAILPOINT_NAMES = ['before-post', 'after-mark', 'after-send', 'after-settle'] as const;
export type FailpointName = (typeof FAILPOINT_NAMES)[number];

const armed = parseFailpoints(typeof process === 'undefined' ? undefined : process.env.PWP_FAILPOINTS);
const random = seededRandom(Number(process.env.PWP_FAILPOINTS_SEED ?? Date.now()) >>> 0);

/** Kills the process here with the probability the environment gave this point. */
export function failpoint(name: FailpointName): void {
  const p = armed.get(name);
  if (p === undefined || random() >= p) return;
  try {
    process.stderr.write(`[failpoint] ${name}\n`);
  } finally {
    process.kill(process.pid, 'SIGKILL');
  }
}

/** "a:0.3,b:1" -> Map; throws on a name that does not exist or a probability outside 0..1. */
export function parseFailpoints(spec: string | undefined): Map<FailpointName, number> {
  const out = new Map<FailpointName, number>();
  if (!spec) return out;
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, prob = '1'] = part.split(':');
    if (!(FAILPOINT_NAMES as readonly string[]).includes(name!))
      throw new Error(`PWP_FAILPOINTS: unknown point "${name}" (known: ${FAILPOINT_NAMES.join(', ')})`);
    const p = Number(prob);
    if (!(p >= 0 && p <= 1)) throw new Error(`PWP_FAILPOINTS: probability of ${name} must be 0..1, got ${prob}`);
    out.set(name as FailpointName, p);
  }
  return out;
}

/** mulberry32: small, fast, good enough to pick crash moments reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
