/**
 * Stops a command-line server when it is told to (SIGTERM, SIGINT) or when the
 * process that started it goes away.
 *
 * WHY the second trigger: `npm run web` is npm -> `sh -c ...` -> node. npm
 * forwards a SIGTERM to the shell, but Debian's dash does not pass it on to its
 * child, so the server used to outlive the command that started it and kept
 * answering. A signal cannot be relied on to reach us through every wrapper
 * (shells, npm versions, a supervisor that SIGKILLs the wrapper), but becoming an
 * orphan can be observed: our parent process id changes. Polling it is cheap
 * (one syscall) and works for every wrapper in between.
 */
export interface StopGuardOptions {
  /** How often the parent is looked at (ms). */
  pollMs?: number;
  /** Reads the current parent pid (injected by tests). */
  parentPid?: () => number;
  /** Where signals are listened to (injected by tests). */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export type StopReason = 'SIGTERM' | 'SIGINT' | 'parent-exited';

/**
 * Calls `stop` once, on the first of: SIGTERM, SIGINT, the parent process
 * exiting. Returns a function that removes the guard.
 */
export function stopOnSignalOrOrphan(stop: (reason: StopReason) => void, options: StopGuardOptions = {}): () => void {
  const parentPid = options.parentPid ?? (() => process.ppid);
  const signals = options.signals ?? process;
  const startParent = parentPid();
  let fired = false;
  const fire = (reason: StopReason) => {
    if (fired) return;
    fired = true;
    dispose();
    stop(reason);
  };
  const onTerm = () => fire('SIGTERM');
  const onInt = () => fire('SIGINT');
  signals.on('SIGTERM', onTerm);
  signals.on('SIGINT', onInt);
  // A parent pid of 1 at start means we were started detached on purpose: there
  // is no parent to watch.
  const timer = startParent > 1 ? setInterval(() => parentPid() !== startParent && fire('parent-exited'), options.pollMs ?? 500) : null;
  timer?.unref();
  function dispose(): void {
    signals.off('SIGTERM', onTerm);
    signals.off('SIGINT', onInt);
    if (timer) clearInterval(timer);
  }
  return dispose;
}
