/**
 * One log entry as the terminal's `log` table holds it, and the one
 * definition of its hash: sha256 over the JSON array of HASHED_FIELDS, in
 * that order. The journal writes and verifies with entryHash; the fast verify
 * lets SQLite build the same text with CANONICAL_SQL; the chain's central
 * verify hashes the shipped rows with entryHash. A field added to LogRow
 * must be added to HASHED_FIELDS (the compiler says so), and so changes all
 * three at once.
 */
import { createHash, hash } from 'node:crypto';

/** The prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export interface LogRow {
  seq: number;
  at: string;
  terminal_id: string;
  actor: string;
  sale_id: string | null;
  kind: string;
  points_milli: number | null;
  amount_cents: number | null;
  currency: string | null;
  outcome: string;
  member_masked: string | null;
  member_hash: string | null;
  /** JSON text, or null. */
  detail: string | null;
  prev_hash: string;
  hash: string;
}

/** What the hash covers, in order: the link to the entry before, then every field. */
export const HASHED_FIELDS = [
  'prev_hash',
  'seq',
  'at',
  'terminal_id',
  'actor',
  'sale_id',
  'kind',
  'points_milli',
  'amount_cents',
  'currency',
  'outcome',
  'member_masked',
  'member_hash',
  'detail',
] as const satisfies readonly Exclude<keyof LogRow, 'hash'>[];

/** Compiles only while HASHED_FIELDS names every field but the hash itself. */
const everyFieldHashed: [Exclude<keyof LogRow, 'hash' | (typeof HASHED_FIELDS)[number]>] extends [never] ? true : never = true;
void everyFieldHashed;

/** The canonical text of an entry (what is hashed). */
export function canonicalEntry(row: Omit<LogRow, 'hash'>): string {
  return JSON.stringify(HASHED_FIELDS.map((f) => row[f]));
}

/**
 * The same text, built by SQLite from the `log` table's columns: json_array
 * gives JSON.stringify's text for the values the log holds (integers, text,
 * NULL). Should they ever differ, the fast verify falls back to the journal's
 * walk with entryHash, so a difference costs time, never a wrong answer.
 */
export const CANONICAL_SQL = `json_array(${HASHED_FIELDS.join(', ')})`;

/** crypto.hash (one shot, faster for short texts) where this Node has it; text is hashed as UTF-8. */
export const sha256Hex: (data: string | Uint8Array) => string =
  typeof hash === 'function' ? (data) => hash('sha256', data) : (data) => createHash('sha256').update(data).digest('hex');

/** The hash of one entry: any change to any field, or to the link, shows. */
export function entryHash(row: Omit<LogRow, 'hash'>): string {
  return sha256Hex(canonicalEntry(row));
}
