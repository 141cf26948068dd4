/**
 * The long-log benchmark's two hot paths alone, for profiling and quick
 * before/after figures: the CSV export of every entry (writeLogCsv, as
 * longlog-bench.ts calls it) and verifying the whole chain (verifyChain, what
 * the desk's verify runs). Opens the database with Store.open, without
 * starting the runtime; Store.open may still migrate the file, so point it at
 * a copy of the long-log cache, never at the cache itself.
 *
 *   nice -n 10 node --import tsx bench/longlog-hot.ts DB [export|verify|both] [--workers N] [--repeat N]
 *
 * Add --cpu-prof to node to profile (with --workers 1 the work is in this thread).
 */
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeLogCsv } from '../electron/service/csv-export.js';
import { LogQuery } from '../electron/service/log-query.js';
import { verifyChain } from '../electron/service/log-verify.js';
import { Store } from '../electron/store/store.js';
import { median } from './stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { workers: { type: 'string' }, repeat: { type: 'string', default: '1' } },
});
const [file, what = 'both'] = positionals;
if (!file) throw new Error('usage: longlog-hot.ts DB [export|verify|both] [--workers N] [--repeat N]');
const workers = values.workers ? Number(values.workers) : undefined;
const store = Store.open(file);
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const runs: Record<string, { wall: number[]; cpu: number[]; n: number; extra: string[] }> = {};
const note = (name: string, n: number, wall: number, cpuS: number, extra: string) => {
  const r = (runs[name] ??= { wall: [], cpu: [], n, extra: [] });
  r.wall.push(wall);
  r.cpu.push(cpuS);
  r.extra.push(extra);
  console.log(
    `${name}: ${n} entries, ${wall.toFixed(2)} s wall (${Math.round(n / wall)}/s), ${cpuS.toFixed(2)} CPU-s (${Math.round(n / cpuS)}/CPU-s) ${extra} load ${loadavg()[0]!.toFixed(1)}`,
  );
};
try {
  for (let i = 0; i < Number(values.repeat); i++) {
    if (what === 'export' || what === 'both') {
      const names = new Map((store.db.prepare('SELECT id, name FROM people').all() as { id: string; name: string }[]).map((p) => [p.id, p.name]));
      const out = join(dirname(file), 'hot-export.csv');
      const rss0 = process.memoryUsage.rss();
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
      const t0 = performance.now();
      const c0 = cpu();
      const { rows } = await writeLogCsv(new LogQuery(store.db), {}, createWriteStream(out), { names, workers });
      const wall = (performance.now() - t0) / 1000;
      const cpuS = cpu() - c0;
      clearInterval(sampler);
      const mb = statSync(out).size / 1024 / 1024;
      rmSync(out); // after the clocks are read: removing a 3 GB file is not the export's work
      note('export', rows, wall, cpuS, `${Math.round(mb)} MB, peak RSS growth ${Math.round((peak - rss0) / 1048576)} MB,`);
    }
    if (what === 'verify' || what === 'both') {
      const t0 = performance.now();
      const c0 = cpu();
      const r = await verifyChain(store, { workers });
      if (!r.intact) throw new Error(`not intact: ${JSON.stringify(r)}`);
      note('verify', r.entries, (performance.now() - t0) / 1000, cpu() - c0, '');
    }
  }
  for (const [name, r] of Object.entries(runs)) {
    const w = median(r.wall);
    const c = median(r.cpu);
    console.log(`MEDIAN ${name} of ${r.wall.length}: ${Math.round(r.n / w)}/s wall, ${Math.round(r.n / c)}/CPU-s`);
  }
} finally {
  store.close();
}
