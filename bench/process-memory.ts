/**
 * What one process holds in memory, read from Linux /proc, and a DevTools
 * protocol connection to a Node process started with `--inspect` (to force a
 * garbage collection and read its heap before sampling, as the renderer's
 * tab is read through Playwright's CDP session).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ProcessMemory {
  /** Proportional set size: each shared page split between the processes that map it. */
  pssMb: number;
  rssMb: number;
  /**
   * The part of PSS that is the process's own memory: anonymous pages (its heaps, its stacks)
   * and shared memory (IPC buffers), each split between the processes that share it. What is
   * left out is file-backed pages (the program's code and read-only data): every other process
   * on the machine that runs the same binary (another Node, another Chromium) takes a share of
   * those, so their proportional size moves with whatever else runs, and no leak lives in them.
   */
  ownMb: number;
  /** File-backed pages' proportional share (the part of PSS that `ownMb` leaves out). */
  pssFileMb: number;
}

/** PSS and RSS of one process (smaps_rollup); throws if the process is gone. */
export function processMemory(pid: number): ProcessMemory {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/smaps_rollup`);
    return Number(m[1]) / 1024;
  };
  return { pssMb: kb('Pss'), rssMb: kb('Rss'), ownMb: kb('Pss_Anon') + kb('Pss_Shmem'), pssFileMb: kb('Pss_File') };
}

/** The command line of a process, arguments joined by spaces ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** A minimal DevTools protocol client (send a method, get its result; collect one event's params). */
export interface CdpClient {
  send<T = unknown>(method: string, params?: object): Promise<T>;
  /** Calls `listener` with the params of every `event` until the returned function is called. */
  on(event: string, listener: (params: Record<string, unknown>) => void): () => void;
  close(): void;
}

interface WsLike {
  on(event: 'open' | 'error' | 'message' | 'close', listener: (arg: unknown) => void): void;
  send(data: string): void;
  close(): void;
}

/** Connects to a Node process's inspector (`node --inspect=127.0.0.1:PORT`). */
export async function connectNodeInspector(port: number): Promise<CdpClient> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const url = list[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on port ${port}`);
  return connectCdp(url);
}

/**
 * A DevTools protocol connection to one target (a Node inspector, a Chromium tab).
 * WHY Playwright's bundled `ws`: Node 20 has no WebSocket client without a flag,
 * and the benchmarks are the only place that needs one.
 */
export async function connectCdp(url: string): Promise<CdpClient> {
  const { ws: WebSocketClient } = createRequire(import.meta.url)('playwright-core/lib/utilsBundle') as { ws: new (url: string) => WsLike };
  const socket = new WebSocketClient(url);
  await new Promise<void>((ok, fail) => {
    socket.on('open', () => ok());
    socket.on('error', (e) => fail(e as Error));
  });
  let nextId = 1;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  const listeners = new Map<string, Set<(p: Record<string, unknown>) => void>>();
  socket.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.fail(new Error(msg.error.message));
      else p?.ok(msg.result);
    } else if (msg.method) {
      for (const l of listeners.get(msg.method) ?? []) l(msg.params ?? {});
    }
  });
  return {
    send: <T>(method: string, params: object = {}) =>
      new Promise<T>((ok, fail) => {
        const id = nextId++;
        pending.set(id, { ok: ok as (v: unknown) => void, fail });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    close: () => socket.close(),
  };
}

/** Writes a heap snapshot (HeapProfiler over any CDP session) to `file`. */
export async function writeHeapSnapshot(cdp: Pick<CdpClient, 'send' | 'on'>, file: string): Promise<void> {
  const chunks: string[] = [];
  const off = cdp.on('HeapProfiler.addHeapSnapshotChunk', (p) => chunks.push(p.chunk as string));
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    off();
  }
  writeFileSync(file, chunks.join(''));
}

/**
 * What each of Chromium's allocators holds in one process (MB by allocator: partition_alloc,
 * malloc, v8, blink_gc, cc, skia, font_caches, ...), from a memory-infra dump taken through the
 * browser's Tracing domain. WHY: a tab's JS heap and DOM counters can stay flat while its
 * resident memory grows; this says which allocator grew.
 */
export async function chromiumAllocators(browser: CdpClient, pid: number): Promise<Map<string, number>> {
  const events: { pid: number; ph: string; args?: { dumps?: { allocators?: Record<string, { attrs?: Record<string, { value: string }> }> } } }[] = [];
  const offData = browser.on('Tracing.dataCollected', (p) => events.push(...(p.value as typeof events)));
  const complete = new Promise<void>((ok) => {
    const off = browser.on('Tracing.tracingComplete', () => {
      off();
      ok();
    });
  });
  try {
    await browser.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } },
    });
    const dump = await browser.send<{ success: boolean }>('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
    await browser.send('Tracing.end');
    await complete;
    if (!dump.success) throw new Error('Chromium did not take the memory dump');
  } finally {
    offData();
  }
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.pid !== pid || e.ph !== 'v') continue;
    for (const [name, a] of Object.entries(e.args?.dumps?.allocators ?? {})) {
      // Top-level allocators and their first level (e.g. partition_alloc/partitions), not every bucket.
      if (name.split('/').length > 2) continue;
      const size = a.attrs?.effective_size?.value ?? a.attrs?.size?.value;
      if (size !== undefined) out.set(name, parseInt(size, 16) / 1024 / 1024);
    }
  }
  return out;
}

/** Objects in a heap snapshot, grouped by constructor (or kind, for strings, code and the like). */
export interface HeapSummary {
  byConstructor: Map<string, { count: number; selfBytes: number }>;
  totalBytes: number;
}

export function summarizeHeapSnapshot(json: string): HeapSummary {
  const snap = JSON.parse(json) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const byConstructor = new Map<string, { count: number; selfBytes: number }>();
  let totalBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]!]!;
    // Objects and closures by their constructor's name; everything else (strings, code, arrays' backing stores) by kind.
    const key = type === 'object' || type === 'closure' ? `${snap.strings[snap.nodes[i + nameAt]!]}${type === 'closure' ? '()' : ''}` : `(${type})`;
    const size = snap.nodes[i + sizeAt]!;
    const entry = byConstructor.get(key) ?? { count: 0, selfBytes: 0 };
    entry.count++;
    entry.selfBytes += size;
    byConstructor.set(key, entry);
    totalBytes += size;
  }
  return { byConstructor, totalBytes };
}

/** The constructors that grew most between two snapshots, as lines ("+N objects, +K KB  Name"). */
export function heapGrowth(before: HeapSummary, after: HeapSummary, top = 15): string[] {
  const rows = [...after.byConstructor].map(([name, a]) => {
    const b = before.byConstructor.get(name) ?? { count: 0, selfBytes: 0 };
    return { name, count: a.count - b.count, bytes: a.selfBytes - b.selfBytes };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  return [
    `heap ${(before.totalBytes / 1e6).toFixed(1)} MB -> ${(after.totalBytes / 1e6).toFixed(1)} MB`,
    ...rows.slice(0, top).map((r) => `${r.count >= 0 ? '+' : ''}${r.count} objects, ${r.bytes >= 0 ? '+' : ''}${(r.bytes / 1024).toFixed(0)} KB  ${r.name}`),
  ];
}

/** The processes descended from `root` (Linux /proc), children before grandchildren. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      // the process ended meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}
