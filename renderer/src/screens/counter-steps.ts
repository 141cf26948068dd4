/**
 * The counter's parts that load on demand (issue 18: initial JS < 120 KB), as
 * loaders free of React: the page's first module (boot.ts) starts the
 * program's own step before the UI's code has even run, and CounterScreen
 * wraps the same loaders in React.lazy. The browser fetches and runs a module
 * once, so lazy()'s own import finds a preloaded one done.
 */
import type { BackendCapabilities } from '../../../shared/domain';

/** A chunk's loader that keeps what it loaded: a render after the load needs not wait for it (CounterScreen). */
export type KeepingLoader<T> = (() => Promise<T>) & { loaded?: T };
function keeping<T>(load: () => Promise<T>): KeepingLoader<T> {
  const loader: KeepingLoader<T> = () => load().then((m) => (loader.loaded = m));
  return loader;
}

// Program-specific steps load only on a terminal of such a program.
export const loadRewardStep = keeping(() => import('../components/RewardStep').then((m) => ({ default: m.RewardStep })));
export const loadCardLinkedCounter = keeping(() => import('../components/CardLinkedCounter').then((m) => ({ default: m.CardLinkedCounter })));
// The outcome (after the member agrees) is not on the first paint: it loads when the page is idle.
export const loadOutcome = keeping(() => import('../components/Outcome').then((m) => ({ default: m.Outcome })));

type StepCapabilities = Pick<BackendCapabilities, 'balanceAtCounter' | 'redemption'>;

/**
 * The program's own counter step, each a chunk of its own: a card-linked program's whole counter
 * (no balance at the counter), a reward program's catalogue (step 3), or none (a points program's
 * step is in the first bundle). One rule for boot.ts's preload and wait and CounterScreen's layout.
 */
type CounterStepKind = 'card-linked' | 'reward' | null;
export function counterStepOf(capabilities: StepCapabilities): CounterStepKind {
  return capabilities.balanceAtCounter === false ? 'card-linked' : capabilities.redemption === 'reward' ? 'reward' : null;
}

const STEP_LOADERS = { 'card-linked': loadCardLinkedCounter, reward: loadRewardStep } as const;

/**
 * Starts loading the program's own counter step as soon as the terminal's status names the program
 * (boot.ts calls it with the first status). Loaded only when the counter first rendered it, its
 * chunk came after that render on a slow counter PC, then a second render (issue 18's page-load
 * profile at 4x CPU).
 */
export function preloadCounterStep(capabilities: StepCapabilities): Promise<unknown> | null {
  const kind = counterStepOf(capabilities);
  // A failed load is tried again, and shown, when the counter renders the step.
  return kind ? STEP_LOADERS[kind]().catch(() => {}) : null;
}

/**
 * Whether the counter's first screen needs the step's chunk (boot.ts then waits for it, briefly):
 * a card-linked program's counter is that chunk; a reward step has something of its own to show
 * only once a member is on the sale (a reload in the middle of one). Before that the counter shows
 * RewardIdle, from the first bundle, and takes a scan without waiting for the chunk.
 */
export function counterStepNeededFirst(capabilities: StepCapabilities, saleHasMember: boolean): boolean {
  const kind = counterStepOf(capabilities);
  return kind === 'card-linked' || (kind === 'reward' && saleHasMember);
}
