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
  cat: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Runs `action` while tracing; answers the renderer main thread's CPU milliseconds (the busiest renderer). */
export async function mainThreadCpuMs(cdp: CDPSession, action: () => Promise<void>): Promise<number> {
  return (await mainThreadCpu(cdp, action)).totalMs;
}

/**
 * As mainThreadCpuMs, and also the CPU spent between each `from` user-timing mark (performance.mark)
 * and the next `to` mark (a task that straddles a mark counts pro rata): e.g. Enter to the balance
 * painted, the part of a scan the cashier waits for.
 */
export async function mainThreadCpu(
  cdp: CDPSession,
  action: () => Promise<void>,
  marks?: { from: string; to: string },
): Promise<{ totalMs: number; spansMs: number[] }> {
  const events: TraceEvent[] = [];
  const onData = (e: { value: object[] }) => events.push(...(e.value as TraceEvent[]));
  cdp.on('Tracing.dataCollected', onData);
  const categories = ['toplevel', '__metadata', ...(marks ? ['blink.user_timing'] : [])];
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReportEvents' });
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
  const tasks = new Map<string, TraceEvent[]>();
  for (const e of events.filter((x) => x.ph === 'X' && x.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts)) {
    const thread = `${e.pid}:${e.tid}`;
    if (!mainThreads.has(thread) || e.ts < (endOf.get(thread) ?? 0)) continue; // a nested task is inside its parent's time
    endOf.set(thread, e.ts + (e.dur ?? 0));
    cpuUs.set(thread, (cpuUs.get(thread) ?? 0) + (e.tdur ?? e.dur ?? 0));
    tasks.set(thread, [...(tasks.get(thread) ?? []), e]);
  }
  if (cpuUs.size === 0) throw new Error('the trace holds no task of a renderer main thread');
  const busiest = [...cpuUs].sort((a, b) => b[1] - a[1])[0]![0];
  const spansMs: number[] = [];
  if (marks) {
    const stamps = events
      .filter((e) => `${e.pid}:${e.tid}` === busiest && (e.name === marks.from || e.name === marks.to) && e.cat.includes('user_timing'))
      .sort((a, b) => a.ts - b.ts);
    for (let i = 0; i < stamps.length; i++) {
      if (stamps[i]!.name !== marks.from) continue;
      const end = stamps.slice(i + 1).find((e) => e.name === marks.to);
      if (!end) continue;
      const [a, b] = [stamps[i]!.ts, end.ts];
      let us = 0;
      for (const t of tasks.get(busiest)!) {
        const dur = t.dur ?? 0;
        const overlap = Math.min(b, t.ts + dur) - Math.max(a, t.ts);
        if (overlap > 0 && dur > 0) us += ((t.tdur ?? dur) * overlap) / dur;
      }
      spansMs.push(us / 1000);
    }
  }
  return { totalMs: cpuUs.get(busiest)! / 1000, spansMs };
}
