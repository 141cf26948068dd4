/**
 * The manager's free-text log search, kept fast on a log of ten million entries.
 *
 * Each word the manager types is a prefix: "geweig" finds "geweigerd", "0417" finds
 * "04170000beef". Asked as an FTS5 prefix term ("geweig"*), the search index first merges the
 * doclists of every term with that prefix into one list in memory, however few entries the
 * page shows: 30–60 ms for a word found in 200,000 entries (profiled on the long-log
 * benchmark). A plain term, or an OR of plain terms, is read lazily from the newest entry down
 * and stops once the page is full: 0.1–0.3 ms. So:
 *
 * 1. each word is cut into the index's tokens by the index's own tokenizer (a small temporary
 *    FTS5 table with the same tokenize option), so no second tokenizer can disagree with it;
 * 2. the word's last token, the prefix, is looked up in the index's vocabulary: the terms that
 *    begin with it, one seek each. When there are at most MAX_TERMS, the word becomes an OR of
 *    those terms, which matches exactly the entries the prefix matches, and is read lazily;
 *    when there are none, nothing can match;
 * 3. a word with more terms than that (a one- or two-character prefix) is not rewritten. The
 *    query's other words (and the word's own leading tokens, for "0mkotkpfk-1d") still make a
 *    plain query that finds every match and some more; the caller reads its entries newest
 *    first and keeps those the manager's query matches, checked by FTS5 itself on a temporary
 *    table holding just those entries' text (`matching`). With nothing plain left, the caller
 *    asks the prefix query as before.
 *
 * Everything here lives in the connection's temp schema: the database file is not changed.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';
import { searchBody } from '../store/log-archive.js';

/** Most terms one word is rewritten into; beyond that the OR would cost more than it saves. */
export const MAX_TERMS = 16;

export interface TextQuery {
  /** The manager's words as FTS5 prefix terms, all required: what the search means. */
  original: string;
  /** No entry can match (a word begins no term in the index). */
  none: boolean;
  /** A query of plain terms matching exactly the entries `original` matches; null when none could be made. */
  exact: string | null;
  /** When not exact: a query of plain terms matching every entry `original` matches (and more); null if none. */
  superset: string | null;
}

/**
 * The manager's words, as searched: split at white space, quotes removed (they cannot break
 * out of a term), words without a letter or digit dropped, at most 8.
 */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFC')
    .split(/\s+/)
    .map((w) => w.replace(/"/g, ''))
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, 8);
}

export class LogTextSearch {
  private stmts: Record<'clearProbe' | 'addProbe' | 'probeTokens' | 'firstTermFrom' | 'probeEntries' | 'probeMatch', Statement<unknown[]>> | null = null;

  constructor(private readonly db: Db) {}

  /**
   * The manager's text as a query (see the file's comment): each word a quoted prefix term
   * (quotes inside are removed, so they cannot break out), all required. Null when nothing
   * searchable remains.
   */
  compile(text: string): TextQuery | null {
    const words = searchWords(text);
    if (words.length === 0) return null;
    const original = words.map((w) => `"${w}"*`).join(' ');
    const tokens = this.tokenize(words);
    // A word the tokenizer turns into nothing: leave the query to FTS5 as it was typed.
    if (tokens.some((t) => t.length === 0)) return { original, none: false, exact: null, superset: null };
    const exact: string[] = [];
    const superset: string[] = [];
    for (const wordTokens of tokens) {
      const lead = wordTokens.slice(0, -1);
      const terms = this.termsBeginning(wordTokens[wordTokens.length - 1]!);
      if (terms.length === 0) return { original, none: true, exact: null, superset: null };
      if (terms.length <= MAX_TERMS) {
        const part = `(${terms.map((t) => quote([...lead, t])).join(' OR ')})`;
        exact.push(part);
        superset.push(part);
      } else if (lead.length > 0) {
        superset.push(quote(lead));
      }
    }
    const allExact = exact.length === tokens.length;
    return { original, none: false, exact: allExact ? exact.join(' AND ') : null, superset: allExact || superset.length === 0 ? null : superset.join(' AND ') };
  }

  /** Which of these entries (by seq) `query` matches, asked of FTS5 over just their text. */
  matching(seqs: number[], query: string): Set<number> {
    const s = this.prepared();
    s.clearProbe.run();
    s.probeEntries.run(JSON.stringify(seqs));
    const hits = new Set(s.probeMatch.all(query) as number[]);
    s.clearProbe.run();
    return hits;
  }

  /** Each word's tokens in order, as the search index's tokenizer makes them. */
  private tokenize(words: string[]): string[][] {
    const s = this.prepared();
    s.clearProbe.run();
    words.forEach((w, i) => s.addProbe.run(i + 1, w));
    const rows = s.probeTokens.all() as { term: string; doc: number }[];
    s.clearProbe.run();
    return words.map((_, i) => rows.filter((r) => r.doc === i + 1).map((r) => r.term));
  }

  /** The index's terms that begin with `prefix`, up to MAX_TERMS + 1 (more than that: "many"). */
  private termsBeginning(prefix: string): string[] {
    const s = this.prepared();
    const terms: string[] = [];
    let from = prefix;
    while (terms.length <= MAX_TERMS) {
      const term = s.firstTermFrom.get(from) as string | undefined;
      if (term === undefined || !term.startsWith(prefix)) break;
      terms.push(term);
      // The next term after `term`: tokens hold no control characters, so nothing sorts between.
      from = `${term}\u0001`;
    }
    return terms;
  }

  private prepared(): NonNullable<LogTextSearch['stmts']> {
    if (this.stmts) return this.stmts;
    const db = this.db;
    db.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.log_search_vocabulary USING fts5vocab(main, log_search, instance);
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.log_search_probe USING fts5(body${tokenizeOption(db)});
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.log_search_probe_tokens USING fts5vocab(temp, log_search_probe, instance);
    `);
    this.stmts = {
      clearProbe: db.prepare('DELETE FROM temp.log_search_probe'),
      addProbe: db.prepare('INSERT INTO temp.log_search_probe (rowid, body) VALUES (?, ?)'),
      probeTokens: db.prepare('SELECT term, doc FROM temp.log_search_probe_tokens ORDER BY doc, offset'),
      firstTermFrom: db.prepare('SELECT term FROM temp.log_search_vocabulary WHERE term >= ? LIMIT 1').pluck(),
      probeEntries: db.prepare(
        `INSERT INTO temp.log_search_probe (rowid, body) SELECT seq, ${searchBody(db)} FROM main.log WHERE seq IN (SELECT value FROM json_each(?))`,
      ),
      probeMatch: db.prepare('SELECT rowid FROM temp.log_search_probe WHERE log_search_probe MATCH ?').pluck(),
    };
    return this.stmts;
  }
}

/** A phrase of index terms (which never hold a quote). */
function quote(tokens: string[]): string {
  return `"${tokens.join(' ')}"`;
}

/** The search index's tokenize option as its schema has it, ', tokenize=…' ('' for the default): the probe must cut words alike. */
function tokenizeOption(db: Db): string {
  const sql = db.prepare(`SELECT sql FROM main.sqlite_master WHERE name = 'log_search'`).pluck().get() as string | undefined;
  if (!sql) throw new Error('the log has no search index');
  const option = /tokenize\s*=\s*('(?:[^']|'')*'|"(?:[^"]|"")*")/i.exec(sql)?.[1];
  return option ? `, tokenize=${option}` : '';
}
