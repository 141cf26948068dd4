import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { LogQuery } from './log-query.js';
import { LogTextSearch } from './log-text-search.js';

/**
 * The rewritten search (log-text-search.ts) must find exactly what the manager's words mean:
 * every word a prefix of some word of the entry, all words required. The oracle is FTS5's own
 * prefix query over the same index, every match, newest first; the rewrite is walked page by
 * page from several starting points, with and without another filter.
 */
describe('log text search: the same entries as the prefix query, read a page at a time', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  const T0 = Date.parse('2024-03-01T08:00:00Z');
  const NAMES = ['Chloé Dubois', 'Jürgen Müller', 'Zoë Martens', 'Chloe Peeters', 'Ann'];
  const MESSAGES = ['Saldo ontoereikend: de inwisseling werd geweigerd', 'geweigerde kaart', 'gewicht onbekend', 'kaart geblokkeerd', ''];

  beforeAll(() => {
    tmp = makeTempDir();
    store = Store.open(`${tmp.dir}/terminal.db`);
    store.transaction(() => {
      for (let i = 0; i < 900; i++) {
        const refused = i % 7 === 0;
        store.journal.append({
          at: new Date(T0 + i * 60_000).toISOString(),
          terminalId: 'T-1',
          actor: `P-${i % 4}`,
          // sale ids as the terminal makes them: many distinct hex words, so a short prefix has
          // far more than MAX_TERMS terms and takes the checked or the as-typed path
          saleId: i % 11 === 0 ? null : `${(T0 + i * 40_000).toString(36)}-${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}`,
          kind: refused ? 'redeem.refused' : i % 3 ? 'redeem.posted' : 'sale.paid',
          outcome: refused ? 'INSUFFICIENT_POINTS' : 'ok',
          memberMasked: `••••••••${String(400 + (i % 150)).padStart(4, '0')}`,
          detail: { message: MESSAGES[i % MESSAGES.length], customer: NAMES[i % NAMES.length], n: i },
        });
      }
    });
  });
  afterAll(() => {
    store.close();
    tmp.cleanup();
  });

  /** FTS5's answer to the words as prefix terms: the meaning the rewrite must keep. */
  const oracle = (text: string, actor?: string): number[] => {
    const words = text
      .split(/\s+/)
      .map((w) => w.replace(/"/g, ''))
      .filter((w) => /[\p{L}\p{N}]/u.test(w));
    const match = words.map((w) => `"${w}"*`).join(' ');
    return store.db
      .prepare(
        `SELECT s.rowid FROM log_search s JOIN log l ON l.seq = s.rowid WHERE log_search MATCH ? ${actor ? 'AND l.actor = ?' : ''} ORDER BY s.rowid DESC`,
      )
      .pluck()
      .all(...(actor ? [match, actor] : [match])) as number[];
  };

  const walk = (query: LogQuery, text: string, actor: string | undefined, limit: number, from?: number): number[] => {
    const seen: number[] = [];
    let before = from;
    for (;;) {
      const page = query.page({ text, actor }, limit, before);
      seen.push(...page.entries.map((e) => e.seq));
      if (page.nextBeforeSeq === null) return seen;
      before = page.nextBeforeSeq;
    }
  };

  // Whole words, prefixes, names with and without accents or capitals, member digits, sale ids
  // (cut at the dash, and past it), a prefix of many terms alone and beside a plain word,
  // several words, words found nowhere.
  const TEXTS = [
    'geweigerd',
    'geweig',
    'GEWEIGERDE',
    'gew',
    'Chloé',
    'chloe',
    'CHLO',
    'muller',
    'Zoe mart',
    'INSUFFICIENT',
    'insufficient_points',
    '0417',
    '04',
    'redeem.ref',
    'sale.paid',
    'kaart geblok',
    '1',
    'a',
    'geweigerd 1',
    'kaart 0',
    'nergens',
    'geweigerd nergens',
  ];

  it('finds what the prefix query finds, from the newest entry and from deep pages, with another filter too', () => {
    const query = new LogQuery(store.db);
    const saleId = store.db.prepare('SELECT sale_id FROM log WHERE sale_id IS NOT NULL AND seq > 450 LIMIT 1').pluck().get() as string;
    const texts = [...TEXTS, saleId, saleId.slice(0, saleId.indexOf('-') + 2), saleId.slice(0, saleId.indexOf('-') + 1)];
    let matched = 0;
    for (const text of texts) {
      for (const actor of [undefined, 'P-2']) {
        const want = oracle(text, actor);
        matched += want.length;
        expect(walk(query, text, actor, 7), `${text} ${actor ?? ''}`).toEqual(want);
        expect(walk(query, text, actor, 50, 600), `${text} ${actor ?? ''} below 600`).toEqual(want.filter((s) => s < 600));
      }
    }
    expect(matched).toBeGreaterThan(5000); // the texts do find things: the comparison is not of empty lists
  });

  it('rewrites a prefix into the index terms it stands for, and checks a wider plain query where there are too many', () => {
    const search = new LogTextSearch(store.db);
    // one term: read lazily, newest first
    expect(search.compile('Geweigerd')).toEqual({ original: '"Geweigerd"*', none: false, exact: '("geweigerd" OR "geweigerde")', superset: null });
    // accents and capitals are folded as the index folds them
    expect(search.compile('CHLOÉ')?.exact).toBe('("chloe")');
    // a word that begins no term: nothing can match
    expect(search.compile('kaart nergens')?.none).toBe(true);
    // a sale id cut just after the dash: its leading word stays, the short prefix after it is checked
    const saleId = store.db.prepare('SELECT sale_id FROM log WHERE sale_id IS NOT NULL LIMIT 1').pluck().get() as string;
    const lead = saleId.slice(0, saleId.indexOf('-'));
    expect(search.compile(`${lead}-1 kaart`)).toMatchObject({ exact: null, superset: `"${lead}" AND ("kaart")` });
    // a short prefix (more than MAX_TERMS terms) beside a plain word: the plain word is the wider query
    expect(search.compile('kaart 0')).toMatchObject({ exact: null, superset: '("kaart")' });
    // a short prefix alone: asked as typed
    expect(search.compile('0')).toMatchObject({ original: '"0"*', exact: null, superset: null });
    expect(search.compile('••• ---')).toBeNull();
    // quotes are removed, so the words cannot break out of their terms
    expect(search.compile('"); DROP TABLE log; --')?.original).toBe('"DROP"* "TABLE"* "log;"*');
  });

  it('gives up checking a wide plain query after a bounded walk and asks the words as typed, with the same answer', () => {
    // 'kaart 0': 'kaart' is plain, '0' has many terms; with a walk limit of 20 most of the answer
    // comes from the as-typed query after the checked part.
    const query = new LogQuery(store.db, { checkedWalkLimit: 20 });
    for (const text of ['kaart 0', 'geweigerd 1']) {
      expect(walk(query, text, undefined, 9)).toEqual(oracle(text));
      expect(walk(query, text, 'P-1', 9, 700)).toEqual(oracle(text, 'P-1').filter((s) => s < 700));
    }
  });
});
