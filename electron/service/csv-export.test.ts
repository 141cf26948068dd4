import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { csvText, logCsvLine, parseCsv, sqlCsvText, sqlMoney, sqlPoints, writeLogCsv, BOM, LOG_CSV_HEADER } from './csv-export.js';
import { LogQuery, type LogRow } from './log-query.js';

const AWKWARD = [
  'plain', '', 'say "hi"', 'a,b', 'line1\nline2', 'cr\rx', ' lead', 'trail ', '\ttab', '=1+1', '+31 6', '-2+3', '@SUM(A1)',
  '\t=cmd', '\r=x', '  =HYPERLINK("http://x")', '\n@x', ' \t -1', '=A1,"x"', 'Zoë • ••••0016', '😀,"', "'quoted'", '-', '=', ' ',
  'x\u00a0', '\u00a0=1', 'a""b', '{"note":"=1","m":"a,\\n"}',
];

describe('CSV in SQL equals CSV in JavaScript', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 't.db'));
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('quotes and neutralises text the same way', () => {
    for (const s of [...AWKWARD, null]) {
      const sql = (store.db.prepare(`SELECT ${sqlCsvText('x')} AS v FROM (SELECT ? AS x)`).get(s) as { v: string }).v;
      expect(sql, JSON.stringify(s)).toBe(csvText(s));
    }
  });

  it('writes amounts and points the same way', async () => {
    const { centsToDecimalString, formatPoints } = await import('../../shared/money.js');
    for (const n of [0, 1, 5, 10, 99, 100, 101, 1234, -1, -5, -1234, 1000, 1500, 1250, 1005, 999_999_999, -1_000_001]) {
      const row = store.db.prepare(`SELECT ${sqlMoney('x')} AS m, ${sqlPoints('x')} AS p FROM (SELECT ? AS x)`).get(n) as { m: string; p: string };
      expect(row.m, String(n)).toBe(centsToDecimalString(n));
      expect(row.p, String(n)).toBe(formatPoints(n, 3));
    }
  });

  it('writes whole log lines the same way, names included, and reads back', async () => {
    const names = new Map([['P-1', 'Ann "the boss", =manager']]);
    store.transaction(() => {
      AWKWARD.forEach((s, i) =>
        store.journal.append({
          at: new Date(1_700_000_000_000 + i).toISOString(),
          terminalId: s || 'T',
          actor: i % 2 ? 'P-1' : s || 'x',
          saleId: s || null,
          kind: s || 'k',
          outcome: s || 'ok',
          memberMasked: s || null,
          pointsMilli: i % 3 ? -1250 * i : null,
          amountCents: i % 4 ? 105 * i - 700 : null,
          currency: s ? s.slice(0, 3) : null,
          detail: { s },
        }),
      );
    });
    const chunks: string[] = [];
    const out = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) });
    const q = new LogQuery(store.db);
    const { rows } = await writeLogCsv(q, {}, out, { names, chunkRows: 7 });
    expect(rows).toBe(AWKWARD.length);
    const js = [...q.chunks({}, 1000)].flat().map((r: LogRow) => logCsvLine({ ...r, actor_name: names.get(r.actor) ?? null })).join('');
    const text = chunks.join('');
    expect(text).toBe(BOM + LOG_CSV_HEADER.join(',') + '\r\n' + js);
    const parsed = parseCsv(text);
    expect(parsed).toHaveLength(AWKWARD.length + 1);
    parsed.slice(1).forEach((r, i) => {
      const s = AWKWARD[i]!;
      expect(r[6], s).toBe(s ? csvValue(s) : 'k');
      expect(r[4]).toBe(i % 2 ? 'Ann "the boss", =manager' : '');
    });
  });
});

/** What a spreadsheet shows for a cell we wrote: the text, with an apostrophe in front if it looked like a formula. */
function csvValue(s: string): string {
  return parseCsv(csvText(s) + '\r\n')[0]![0]!;
}
