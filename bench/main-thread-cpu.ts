/**
 * The renderer main thread's CPU time over an action, from a Chromium trace
 * (the top-level tasks' thread time, `tdur`). WHY: on a machine shared with
 * other work, wall-clock timings swing with its load; the CPU the page's own
 * thread spent does not, so a change to the renderer can be compared with
 * it. Compare it at one throttling rate: Chromium's throttling adds to the
 * thread's time too (about 2.4x at 4x here).
 */
import type { CDPSession } from '@playwright/test';

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Runs `action` while tracing; answers the renderer main thread's CPU milliseconds (the busiest renderer). */
export async function mainThreadCpuMs(cdp: CDPSession, action: () => Promise<void>): Promise<number> {
  const events: TraceEvent[] = [];
  const onData = (e: { value: object[] }) => events.push(...(e.value as TraceEvent[]));
  cdp.on('Tracing.dataCollected', onData);
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', '__metadata'] }, transferMode: 'ReportEvents' });
  try {
    await action();
  } finally {
    const complete = new Promise<void>((ok) => cdp.once('Tracing.tracingComplete', () => ok()));
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', onData);
  }
  const mainThreads = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const cpuUs = new Map<string, number>();
  const endOf = new Map<string, number>();
  for (const e of events.filter((x) => x.ph === 'X' && x.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts)) {
    const thread = `${e.pid}:${e.tid}`;
    if (!mainThreads.has(thread) || e.ts < (endOf.get(thread) ?? 0)) continue; // a nested task is inside its parent's time
    endOf.set(thread, e.ts + (e.dur ?? 0));
    cpuUs.set(thread, (cpuUs.get(thread) ?? 0) + (e.tdur ?? e.dur ?? 0));
  }
  if (cpuUs.size === 0) throw new Error('the trace holds no task of a renderer main thread');
  return Math.max(...cpuUs.values()) / 1000;
}
