import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { centsToDecimalString, formatPoints } from '../../shared/money.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { parse } from 'csv-parse/sync';
import { csvDialect } from './csv-dialect.js';
import { BOM, csvText, LOG_CSV_COLUMNS, logCsvHeader, logCsvLine, writeLogCsv } from './csv-export.js';
import { LogQuery, type NamedLogRow } from './log-query.js';

const AWKWARD = [
  'plain',
  '',
  'say "hi"',
  'a,b',
  'line1\nline2',
  'cr\rx',
  ' lead',
  'trail ',
  '\ttab',
  '=1+1',
  '+31 6',
  '-2+3',
  '@SUM(A1)',
  '\t=cmd',
  '\r=x',
  '  =HYPERLINK("http://x")',
  '\n@x',
  ' \t -1',
  '=A1,"x"',
  'Zoë • ••••0016',
  '😀,"',
  "'quoted'",
  '-',
  '=',
  ' ',
  'x\u00a0',
  '\u00a0=1',
  'a""b',
  '{"note":"=1","m":"a,\\n"}',
];

/** Reads a CSV back with a spreadsheet-grade parser (csv-parse), not ours. */
const parseCsv = (text: string, delimiter = ','): string[][] => parse(text, { bom: true, delimiter, relax_column_count: true }) as string[][];
const HEADER = logCsvHeader(csvDialect('en', 'rfc4180'));
const col = (name: (typeof LOG_CSV_COLUMNS)[number]) => LOG_CSV_COLUMNS.indexOf(name);

function sink(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('CSV log export', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  const names = new Map([['P-1', 'Ann "the boss", =manager']]);
  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 't.db'));
    store.transaction(() => {
      for (let k = 0; k < 20; k++) {
        AWKWARD.forEach((s, i) =>
          store.journal.append({
            at: new Date(1_700_000_000_000 + k * 1000 + i).toISOString(),
            terminalId: s || 'T',
            actor: i % 2 ? 'P-1' : s || 'x',
            saleId: s || null,
            kind: s || 'k',
            outcome: s || 'ok',
            memberMasked: s || null,
            pointsMilli: i % 3 ? -1250 * i + k : null,
            amountCents: i % 4 ? 105 * i - 700 + k : null,
            currency: s ? s.slice(0, 3) : null,
            detail: { s },
          }),
        );
      }
    });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('writes amounts and points exactly like shared/money', () => {
    const row = (points: number, cents: number) =>
      parseCsv(
        logCsvLine({
          seq: 1,
          at: 'a',
          terminal_id: 't',
          actor: 'a',
          actor_name: null,
          sale_id: null,
          kind: 'k',
          outcome: 'o',
          member_masked: null,
          member_hash: null,
          points_milli: points,
          amount_cents: cents,
          currency: null,
          detail: null,
          prev_hash: 'p',
          hash: 'h',
        }),
      )[0]!;
    for (const n of [0, 1, 5, 10, 99, 100, 101, 1234, -1, -5, -1234, 1000, 1500, 1250, 1005, 999_999_999, -1_000_001]) {
      const r = row(n, n);
      expect(r[col('points')], String(n)).toBe(formatPoints(n, 3));
      expect(r[col('otherAmount')], String(n)).toBe(centsToDecimalString(n)); // an unknown kind's amount: never under a wrong heading
    }
  });

  it('every awkward text reads back as itself (or with the apostrophe that disarms a formula)', async () => {
    const { out, text } = sink();
    const { rows } = await writeLogCsv(new LogQuery(store.db), {}, out, { names, workers: 1 });
    expect(rows).toBe(AWKWARD.length * 20);
    const parsed = parseCsv(text());
    expect(parsed[0]).toEqual(HEADER);
    parsed.slice(1, AWKWARD.length + 1).forEach((r, i) => {
      const s = AWKWARD[i]!;
      const shown = s && /^[=+\-@\t\r]|^[ \t\r\n]+[=+\-@]/.test(s) ? `'${s}` : s;
      expect(r[col('kindCode')], JSON.stringify(s)).toBe(s ? shown : 'k');
      expect(r[col('person')]).toBe(i % 2 ? 'Ann "the boss", =manager' : '');
      expect(JSON.parse(r[col('detail')]!)).toEqual({ s });
      expect(r).toHaveLength(HEADER.length);
    });
  });

  it('workers and this thread write the same bytes, a consistent cut, and leave no temporary files', async () => {
    const q = new LogQuery(store.db);
    const a = sink();
    const b = sink();
    const paths: string[] = [];
    await writeLogCsv(q, {}, a.out, { names, workers: 1, onPath: (p) => paths.push(p) });
    await writeLogCsv(q, {}, b.out, { names, workers: 3, parallelFrom: 0, chunkRows: 7, onPath: (p) => paths.push(p) });
    expect(paths).toEqual(['inline', 'workers']);
    expect(b.text()).toBe(a.text());
    expect(a.text().startsWith(BOM)).toBe(true);
    const all = [...q.chunks({}, 10_000)].flat() as NamedLogRow[];
    expect(a.text()).toBe(BOM + HEADER.join(',') + '\r\n' + all.map((r) => logCsvLine({ ...r, actor_name: names.get(r.actor) ?? null })).join(''));
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.export-'))).toEqual([]);
    // with a filter and a date range, in workers too
    const from = new Date(1_700_000_005_000).toISOString();
    const to = new Date(1_700_000_012_000).toISOString();
    const c = sink();
    const d = sink();
    await writeLogCsv(q, { from, to, actor: 'P-1' }, c.out, { names, workers: 1 });
    await writeLogCsv(q, { from, to, actor: 'P-1' }, d.out, { names, workers: 2, parallelFrom: 0 });
    expect(d.text()).toBe(c.text());
    const lines = parseCsv(c.text()).slice(1);
    expect(lines.length).toBe(7 * Math.floor(AWKWARD.length / 2));
    for (const l of lines)
      expect(Date.parse(l[col('at')]!) >= Date.parse(from) && Date.parse(l[col('at')]!) < Date.parse(to) && l[col('personId')] === 'P-1').toBe(true);
  });

  it('in Dutch and French: semicolons, decimal commas, local times, kinds and outcomes in words; the amount under its meaning', async () => {
    store.transaction(() => {
      store.journal.append({
        at: '2025-03-01T08:05:09.123Z',
        terminalId: 'T',
        actor: 'P-1',
        kind: 'sale.paid',
        outcome: 'ok',
        saleId: 'sale-1',
        amountCents: 3360,
        currency: 'EUR',
      });
      store.journal.append({
        at: '2025-03-01T08:06:00.000Z',
        terminalId: 'T',
        actor: 'P-1',
        kind: 'redeem.refused',
        outcome: 'INSUFFICIENT_POINTS',
        saleId: 'sale-1',
        pointsMilli: 12_500,
        amountCents: 1250,
        currency: 'EUR',
      });
    });
    for (const [lang, word, refused] of [
      ['nl', 'Betaald', 'Punten geweigerd'],
      ['fr', 'Payé', 'Points refusés'],
    ] as const) {
      const d = csvDialect(lang);
      const { out, text } = sink();
      await writeLogCsv(new LogQuery(store.db), { saleId: 'sale-1' }, out, { names, workers: 1, dialect: d });
      expect(d).toMatchObject({ sep: ';', decimal: ',' });
      const rows = parseCsv(text(), ';');
      expect(rows[0]).toEqual(logCsvHeader(d));
      expect(rows[0]).toHaveLength(LOG_CSV_COLUMNS.length);
      const paid = rows.find((r) => r[col('kindCode')] === 'sale.paid')!;
      const local = new Date('2025-03-01T08:05:09Z');
      const two = (n: number) => String(n).padStart(2, '0');
      expect(paid[col('at')]).toBe(`2025-${two(local.getMonth() + 1)}-${two(local.getDate())} ${two(local.getHours())}:${two(local.getMinutes())}:09`);
      expect(paid[col('what')]).toBe(word);
      expect(paid[col('toPay')]).toBe('33,60');
      expect(paid[col('basket')]).toBe('');
      expect(paid[col('discount')]).toBe('');
      const no = rows.find((r) => r[col('kindCode')] === 'redeem.refused')!;
      expect(no[col('what')]).toBe(refused);
      expect(no[col('outcomeCode')]).toBe('INSUFFICIENT_POINTS');
      expect(no[col('outcome')]).not.toBe('INSUFFICIENT_POINTS');
      expect(no[col('discount')]).toBe('12,50');
      expect(no[col('points')]).toBe('12,5');
    }
    // The programs' choice: commas and decimal points, ISO times with the offset, whatever the language.
    const { out, text } = sink();
    await writeLogCsv(new LogQuery(store.db), { kind: 'sale.paid' }, out, { names, workers: 1, dialect: csvDialect('nl', 'rfc4180') });
    const paid = parseCsv(text(), ',')[1]!;
    expect(paid[col('toPay')]).toBe('33.60');
    expect(Date.parse(paid[col('at')]!)).toBe(Date.parse('2025-03-01T08:05:09Z'));
    expect(paid[col('at')]).toMatch(/^2025-03-01T\d{2}:05:09[+-]\d{2}:\d{2}$/);
  });

  it('quotes and neutralises text', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('=1+1')).toBe("'=1+1");
    expect(csvText(' =1')).toBe("' =1");
    expect(csvText('x\u00a0')).toBe('x\u00a0'); // only space, tab, CR, LF count as blanks
  });
});
