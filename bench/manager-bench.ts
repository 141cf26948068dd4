/**
 * Issue 7's benchmarks of the manager's desk, on a log of N entries
 * (1,000,000 at full size):
 *  - a filtered page query (50 entries) p95, over a mix of filters: person,
 *    kind, outcome, member's last four, one day, one day + kind, one day +
 *    person, free text, text + person; each from the newest page and from
 *    deep pages (keyset beforeSeq half-way and near the start);
 *  - the CSV export of every entry, streamed to a file: time, and peak RSS
 *    growth sampled in this process (process.memoryUsage().rss every 10 ms);
 *  - verifying the chain (journal.verify plus the tail anchor).
 *
 * The log is filled by a fast bulk insert that computes the real chain
 * (entryHash over each row, prev_hash of the one before) through the real
 * schema, so its triggers (anchor, search index) and indexes are all paid for.
 */
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { makeTempDir } from '../test/temp-dir.js';
import type { LogFilter } from '../shared/contract/manager.js';
import { GENESIS_HASH, entryHash } from '../electron/store/log-row.js';
import { Store } from '../electron/store/store.js';
import { ManagerDesk } from '../electron/service/manager-desk.js';
import { People } from '../electron/service/people.js';
import { writeLogCsv } from '../electron/service/csv-export.js';
import { median, nowMs, percentile, type Figure } from './stats.js';

export interface ManagerBenchOptions {
  entries: number;
  /** Page queries per filter shape and start point (default 20). */
  repeats?: number;
}

export const FULL_SIZE: ManagerBenchOptions = { entries: 1_000_000 };
export const MANAGER_QUICK: ManagerBenchOptions = { entries: 3000, repeats: 2 };

const KINDS = [
  ['sale.started', 18],
  ['member.identify', 16],
  ['quote', 16],
  ['redeem.confirmed', 12],
  ['redeem.posted', 11],
  ['sale.paid', 11],
  ['redeem.attempt', 4],
  ['redeem.queued', 3],
  ['sale.cancelled', 3],
  ['redeem.refused', 2],
  ['sale.refunded', 1],
  ['sale.voided', 1],
  ['offline.override', 0.5],
  ['person.signin', 1],
  ['pin.wrong', 0.3],
  ['backend.offline', 0.1],
  ['backend.online', 0.1],
] as const;

export async function runManagerBench(o: ManagerBenchOptions): Promise<Figure[]> {
  const tmp = makeTempDir('pwp-mbench-');
  const store = Store.open(join(tmp.dir, 'terminal.db'));
  try {
    const start = Date.parse('2025-01-01T07:00:00Z');
    const spacingMs = 8_000; // 1,000,000 entries over about three months
    const people = new People(store, () => start, { scrypt: { N: 1 << 10, r: 8, p: 1 }, terminalId: 'T-BENCH' });
    const manager = people.createFirstManager('Bench Manager', '123456');
    const staff = [manager.id, ...['An', 'Bram', 'Chloé', 'Dries', 'Eva'].map((n) => people.createPerson(manager, n, 'cashier', '2222').id)];
    const desk = new ManagerDesk(store, { people, secretBox: null, terminalId: 'T-BENCH', clock: () => start + o.entries * spacingMs });

    // ---- fill -------------------------------------------------------------------------
    const t0 = nowMs();
    fill(store, o.entries, start, spacingMs, staff);
    const fillS = (nowMs() - t0) / 1000;
    const total = (store.db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n;
    const dbMb = fileMb(join(tmp.dir, 'terminal.db')) + fileMb(join(tmp.dir, 'terminal.db-wal'));

    // ---- filtered pages ------------------------------------------------------------------
    const shapes = pageShapes(staff, start, spacingMs, o.entries);
    const { pageP95, worst, perShape } = timeFilteredPages(desk, shapes, total, o.repeats ?? 20, o.entries >= 100_000);

    // ---- CSV export of everything, streamed to a file ---------------------------------------
    const csvFile = join(tmp.dir, 'log.csv');
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const e0 = nowMs();
    const names = new Map(people.list().map((p) => [p.id, p.name]));
    const { rows } = await writeLogCsv(desk.log, {}, createWriteStream(csvFile), { names });
    const exportS = (nowMs() - e0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMb = (peak - rss0) / 1024 / 1024;
    const csvMb = fileMb(csvFile);
    // The harness checks its own work: a benchmark of an export that lost rows measures nothing.
    if (rows !== total) throw new Error(`the CSV export wrote ${rows} of ${total} entries`);
    const csvLines = readFileSync(csvFile, 'utf8')
      .split('\r\n')
      .filter((l) => l !== '').length;
    if (o.entries <= 10_000 && csvLines !== total + 1) throw new Error(`the CSV file holds ${csvLines - 1} entries, not ${total}`);

    // ---- verify ----------------------------------------------------------------------------------
    const load = loadavg()[0]!;
    const v0 = nowMs();
    const report = await desk.verify();
    const verifyS = (nowMs() - v0) / 1000;
    if (!report.intact) throw new Error(`bench log did not verify: ${report.message}`);

    return [
      { name: `log filled with ${total.toLocaleString('en')} entries (bulk, chain computed)`, value: fillS, unit: 's' },
      { name: 'database size (log, indexes, search index)', value: dbMb, unit: 'MB' },
      { name: `filtered page of 50, p95 over ${shapes.length} filters x 3 depths`, value: pageP95, unit: 'ms', target: '< 20 ms', ok: pageP95 < 20 },
      { name: `  slowest filter p95: ${worst.name}`, value: worst.p95, unit: 'ms' },
      ...perShape.map((s) => ({ name: `  ${s.name}, p95 (${s.hits} on the first page)`, value: s.p95, unit: 'ms' })),
      {
        name: `CSV export of all ${rows.toLocaleString('en')} entries (${Math.round(csvMb)} MB file)`,
        value: exportS,
        unit: 's',
        target: '< 5 s',
        ok: exportS < 5,
      },
      { name: 'CSV export peak RSS growth', value: growthMb, unit: 'MB', target: '< 250 MB', ok: growthMb < 250 },
      { name: 'verify the chain (and the tail anchor)', value: verifyS, unit: 's', target: '< 3 s', ok: verifyS < 3 },
      { name: 'machine load average (1 min) while measuring', value: load, unit: '' },
    ];
  } finally {
    store.close();
    tmp.cleanup();
  }
}

/** The filters a manager uses, over a log filled by `fill` (issue 7's mix; the long-log benchmark uses the same). */
export function pageShapes(staff: string[], start: number, spacingMs: number, entries: number): [string, LogFilter][] {
  const day = (d: number) => ({
    from: new Date(start + d * 86_400_000 - 7 * 3_600_000).toISOString(),
    to: new Date(start + (d + 1) * 86_400_000 - 7 * 3_600_000).toISOString(),
  });
  const lastDay = Math.max(0, Math.floor((entries * spacingMs) / 86_400_000) - 1);
  return [
    ['person', { actor: staff[2]! }],
    ['kind (common)', { kind: 'redeem.posted' }],
    ['kind (rare)', { kind: 'offline.override' }],
    ['outcome (rare)', { outcome: 'INSUFFICIENT_POINTS' }],
    ['member last 4', { memberLast4: '0417' }],
    ['one day', day(lastDay)],
    ['one day + kind', { ...day(Math.floor(lastDay / 2)), kind: 'sale.refunded' }],
    ['one day + person', { ...day(Math.floor(lastDay / 3)), actor: staff[4]! }],
    ['person + kind', { actor: staff[1]!, kind: 'redeem.refused' }],
    ['member + kind', { memberLast4: '0417', kind: 'redeem.posted' }],
    ['text', { text: 'geweigerd' }],
    // A sale half-way through the log (fill gives sale n to entries 6n..6n+5).
    ['text (sale id prefix)', { text: saleIdOf(Math.floor(entries / 12)).slice(0, 12) }],
    ['text + person', { text: 'INSUFFICIENT', actor: staff[3]! }],
  ];
}

/**
 * Times a page of 50 for each filter from the newest page and from two deep
 * pages (keyset half-way and near the start), `repeats` times each.
 * `mustHit`: a filter that finds nothing is an error (it would time an empty answer).
 */
export function timeFilteredPages(desk: ManagerDesk, shapes: [string, LogFilter][], total: number, repeats: number, mustHit: boolean) {
  const all: number[] = [];
  // CPU time of this process per page: on a loaded machine the wall clock also counts the time
  // the scheduler gave to others; this figure moves least with the load.
  const cpu: number[] = [];
  const perShape: { name: string; p95: number; hits: number }[] = [];
  for (const [name, filter] of shapes) {
    const samples: number[] = [];
    for (const before of [undefined, Math.floor(total / 2), Math.floor(total / 20)]) {
      desk.log.page(filter, 50, before); // warm the statement
      for (let i = 0; i < repeats; i++) {
        const c0 = process.cpuUsage();
        const q0 = nowMs();
        desk.log.page(filter, 50, before === undefined ? undefined : before - i * 7);
        samples.push(nowMs() - q0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      }
    }
    const hits = desk.log.page(filter, 50).entries.length;
    if (hits === 0 && mustHit) throw new Error(`the filter "${name}" found nothing in the benchmark log`);
    all.push(...samples);
    perShape.push({ name, p95: percentile(samples, 95), hits });
  }
  const pageP95 = percentile(all, 95);
  const worst = perShape.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  return { pageP95, worst, perShape, samples: all, cpuP95: percentile(cpu, 95), cpuMedian: median(cpu) };
}

function saleIdOf(n: number): string {
  return `${(1_735_714_800_000 + n * 40_000).toString(36).padStart(9, '0')}-${((n * 2654435761) >>> 0).toString(16).padStart(8, '0')}beef`;
}

function fileMb(f: string): number {
  try {
    return statSync(f).size / 1024 / 1024;
  } catch {
    return 0;
  }
}

/**
 * Appends `n` entries in large transactions, computing each entry's hash over
 * the previous one exactly as Journal.append does, with realistic variety.
 * Durability is relaxed while filling (synchronous=OFF) and restored after:
 * the fill is setup, not what is measured.
 */
export function fill(store: Store, n: number, start: number, spacingMs: number, staff: string[]): void {
  const db = store.db;
  const weights = KINDS.map(([, w]) => w);
  const sum = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w, i) => ((cumulative[i] = (acc + w) / sum), acc + w), 0);
  let seed = 42;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pickKind = () => {
    const r = rand();
    return KINDS[cumulative.findIndex((c) => r <= c)]![0];
  };
  const insert = db.prepare(
    `INSERT INTO log (seq, at, terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash)
     VALUES (@seq, @at, @terminal_id, @actor, @sale_id, @kind, @points_milli, @amount_cents, @currency, @outcome, @member_masked, @member_hash, @detail, @prev_hash, @hash)`,
  );
  const last = db.prepare('SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  let prev = last?.hash ?? GENESIS_HASH;
  let seq = last?.seq ?? 0;
  db.pragma('synchronous = OFF');
  const batch = db.transaction((count: number) => {
    for (let i = 0; i < count; i++) {
      seq++;
      const k = seq;
      const kind = pickKind();
      const saleNo = Math.floor(k / 6);
      const member = String(Math.floor(rand() * 2000)).padStart(4, '0');
      const refused = kind === 'redeem.refused';
      const attempt = kind === 'redeem.attempt';
      const withMoney = kind === 'redeem.posted' || kind === 'sale.paid' || kind === 'sale.refunded' || kind === 'quote';
      const row = {
        seq: k,
        at: new Date(start + k * spacingMs).toISOString(),
        terminal_id: 'T-BENCH',
        actor: staff[saleNo % staff.length]!,
        sale_id: kind.startsWith('person') || kind.startsWith('backend') || kind === 'pin.wrong' ? null : saleIdOf(saleNo),
        kind,
        points_milli: withMoney || kind.startsWith('redeem') ? 1000 * (1 + (saleNo % 40)) : null,
        amount_cents: withMoney ? 50 * (1 + (saleNo % 40)) : null,
        currency: withMoney ? 'EUR' : null,
        outcome: refused ? 'INSUFFICIENT_POINTS' : attempt ? 'BACKEND_UNAVAILABLE' : kind === 'pin.wrong' ? 'PIN_WRONG' : 'ok',
        member_masked: kind.startsWith('person') || kind.startsWith('backend') || kind === 'pin.wrong' ? null : `••••••••${member}`,
        member_hash: null as string | null,
        detail: refused
          ? JSON.stringify({ attempt: 1, reference: `${saleIdOf(saleNo)}.r1`, message: 'Saldo ontoereikend: de inwisseling werd geweigerd' })
          : attempt
            ? JSON.stringify({
                attempt: 1 + (k % 5),
                message: 'The loyalty program cannot be reached.',
                nextAttemptAt: new Date(start + k * spacingMs + 30_000).toISOString(),
              })
            : kind === 'redeem.confirmed'
              ? JSON.stringify({ reference: `${saleIdOf(saleNo)}.r1` })
              : null,
        prev_hash: prev,
      };
      row.member_hash = row.member_masked ? `mh${member}` : null;
      const hash = entryHash(row);
      insert.run({ ...row, hash });
      prev = hash;
    }
  });
  const chunk = 20_000;
  for (let done = 0; done < n; done += chunk) batch(Math.min(chunk, n - done));
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
}
