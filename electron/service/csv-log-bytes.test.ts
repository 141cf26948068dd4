import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { csvDialect, type CsvDialect } from './csv-dialect.js';
import { LOG_JSON_SELECT, LogCsvBytes, LogCsvReader } from './csv-log-bytes.js';
import { LOG_SELECT, lineFormat } from './csv-line.js';
import { LogQuery } from './log-query.js';

/**
 * The export's byte writer against csv-line.ts's own lines (the reference the
 * CSV tests hold to the rules): the same bytes, entry for entry, whatever
 * the values, the chunk borders and the time zone; odd values go the usual
 * way, ordinary ones never do.
 */
describe('log CSV lines written from JSON blobs', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  const names = new Map([
    ['P-1', 'Ann "the boss", =manager'],
    ['P-2', 'Zoë'],
  ]);
  const TEXTS = [
    'plain',
    '',
    'say "hi"',
    'a,b',
    'a;b',
    'line1\nline2',
    'cr\rx',
    ' lead',
    'trail ',
    '\ttab',
    '=1+1',
    '+31 6',
    '-2',
    '@x',
    'back\\slash',
    '\\"',
    '"',
    'ctl\u0001',
    'Zoë • ••••0016',
    '😀,"',
    'x\u00a0',
    '\u2028',
    '{"a":"b\\n"}',
  ];
  const insert = (seq: number, at: unknown, v: Record<string, unknown>) =>
    store.db
      .prepare(
        `INSERT INTO log (seq, at, terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash)
         VALUES (@seq, @at, @terminal_id, @actor, @sale_id, @kind, @points_milli, @amount_cents, @currency, @outcome, @member_masked, NULL, @detail, 'p', 'h')`,
      )
      .run({
        seq,
        at,
        terminal_id: 'T',
        actor: 'P-1',
        sale_id: null,
        kind: 'sale.paid',
        points_milli: null,
        amount_cents: null,
        currency: null,
        outcome: 'ok',
        member_masked: null,
        detail: null,
        ...v,
      });

  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 't.db'));
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  /** The whole log through LogCsvReader in chunks of `limit`, and csv-line.ts's lines of the same rows. */
  const both = (d: CsvDialect, limit: number) => {
    const f = lineFormat(d);
    const cells = new Map([...names].map(([id, n]) => [id, f.text(n)]));
    const plan = new LogQuery(store.db).exportPlan({}, [LOG_JSON_SELECT, LOG_SELECT])!;
    const bytes = new LogCsvBytes(d, cells);
    const reader = new LogCsvReader(store.db, plan.sqls[0]!, plan.sqls[1]!, plan.params, bytes);
    const parts: Buffer[] = [];
    let rows = 0;
    for (let after = 0; ;) {
      const c = reader.chunk(after, plan.upTo, limit);
      rows += c.rows;
      parts.push(bytes.take());
      if (c.rows < limit) break;
      after = c.last;
    }
    const all = store.db.prepare(`SELECT ${LOG_SELECT} FROM log l ORDER BY seq`).raw(true).all() as unknown[][];
    const reference = all.map((r) => f.line(r, cells.get(r[3] as string) ?? '')).join('');
    return { text: Buffer.concat(parts).toString('utf8'), reference, rows, usual: bytes.usualRows };
  };

  it('awkward texts in every column, amounts of every kind, across odd chunk borders: the same bytes, none the usual way', () => {
    const kinds = ['sale.paid', 'quote', 'sale.refunded', 'offer.seen', 'odd.kind', 'constructor', '=cmd'];
    let seq = 0;
    TEXTS.forEach((t, i) => {
      for (const v of [
        { terminal_id: t || 'T', sale_id: t || null, member_masked: t || null, currency: t || null, detail: t || null },
        { actor: t || 'P-2', kind: t || 'k', outcome: t || 'ok' },
      ])
        insert(++seq, new Date(1_700_000_000_000 + seq * 61_001).toISOString(), {
          ...v,
          kind: (v as { kind?: string }).kind ?? kinds[i % kinds.length],
          points_milli: i % 3 ? -1250 * i + 7 : null,
          amount_cents: i % 4 ? 105 * i - 700 : null,
        });
    });
    for (const d of [csvDialect('en', 'rfc4180'), csvDialect('nl'), csvDialect('fr', 'rfc4180')])
      for (const limit of [1, 7, 1000]) {
        const r = both(d, limit);
        expect(r.rows).toBe(seq);
        expect(r.text).toBe(r.reference);
        expect(r.usual, `${d.language} ${limit}`).toBe(0);
      }
  });

  it('local times around the clock changes of several zones (whole, half and quarter hours, a half-hour change): the same as csv-line.ts', () => {
    // Every 17 min 13.5 s over half a day around each of 2024's changes in these zones.
    const changes = [
      '2024-03-31T01:00:00Z',
      '2024-10-27T01:00:00Z',
      '2024-04-06T15:00:00Z',
      '2024-10-05T15:30:00Z',
      '2024-03-10T05:30:00Z',
      '2024-11-03T04:30:00Z',
    ];
    let seq = 0;
    for (const c of changes)
      for (let t = Date.parse(c) - 6 * 3600_000; t < Date.parse(c) + 6 * 3600_000; t += 1_033_500) insert(++seq, new Date(t).toISOString(), {});
    const tz = process.env.TZ;
    try {
      for (const zone of ['Europe/Brussels', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kathmandu', 'UTC']) {
        process.env.TZ = zone;
        for (const d of zone === 'UTC' ? [csvDialect('nl')] : [csvDialect('nl'), csvDialect('en', 'rfc4180')]) {
          const r = both(d, 500);
          expect(r.text, zone).toBe(r.reference);
          // Only a UTC hour in which the offset changes (at :30 UTC in Lord Howe and St John's) goes the usual way.
          expect(r.usual, zone).toBeLessThanOrEqual(/Lord_Howe|St_Johns/.test(zone) ? 2 * 4 : 0);
        }
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('values the log does not hold (a fraction, a number as text, text as a number, an odd time, a blob): the usual way, same bytes', () => {
    insert(1, '2024-01-01T07:00:00.000Z', { amount_cents: 12.5, points_milli: 0.1 + 0.2 });
    insert(2, '2024-01-01T07:00:08.000Z', { amount_cents: '1250', points_milli: '=1' });
    insert(3, '2024-01-01 07:00:16', { terminal_id: 42, currency: -7 });
    insert(4, 'not a time', { sale_id: 1e20 });
    insert(5, '2024-01-01T07:00:32.000Z', { kind: 7, outcome: 1.5 });
    insert(6, '2024-01-01T07:00:40.000Z', { amount_cents: 250, kind: 'quote' });
    insert(7, '2024-01-01T07:00:48.000Z', { detail: Buffer.from('{"x":1}') });
    insert(8, '2024-01-01T07:00:56.000Z', { amount_cents: -99_999_999_999_999 });
    for (const limit of [3, 100]) {
      const r = both(csvDialect('en', 'rfc4180'), limit);
      expect(r.rows).toBe(8);
      expect(r.text).toBe(r.reference);
      expect(r.usual).toBeGreaterThanOrEqual(5);
      expect(r.usual).toBeLessThan(8 + 1);
    }
  });
});
