/**
 * The chain side of shipping: what one terminal writes into PostgreSQL, with
 * only INSERT and SELECT rights. Idempotent on (terminal id, seq) and
 * (terminal id, day): `ON CONFLICT DO NOTHING` makes an identical re-send a
 * no-op (a batch cut short by a crash is simply sent again); a re-send that
 * differs from what the chain holds is refused (the stored row stays),
 * written to pwp.conflicts, and returned so the terminal flags it too.
 */
import type { ClientBase } from 'pg';
import type { ShippedDay, ShippedEntry } from './types.js';
import { DAY_FIGURES } from './types.js';

export interface Conflict {
  what: 'entry' | 'day';
  key: string;
  storedHash: string;
  offeredHash: string;
}

const ENTRY_COLUMNS = [
  'seq',
  'at',
  'logged_terminal_id',
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
  'prev_hash',
  'hash',
] as const;
const ENTRY_TYPES = ['bigint', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

/** One statement for the whole batch: each column is one array parameter. */
const INSERT_ENTRIES = `
  INSERT INTO pwp.entries (terminal_id, ${ENTRY_COLUMNS.join(', ')})
  SELECT $1, * FROM unnest(${ENTRY_TYPES.map((t, i) => `$${i + 2}::${t}[]`).join(', ')})
  ON CONFLICT (terminal_id, seq) DO NOTHING
  RETURNING seq`;

function entryColumn(e: ShippedEntry, c: (typeof ENTRY_COLUMNS)[number]): unknown {
  return c === 'logged_terminal_id' ? e.terminal_id : e[c];
}

/** Same entry? Every field the hash covers, and the hash. */
function sameEntry(stored: Record<string, unknown>, e: ShippedEntry): boolean {
  return ENTRY_COLUMNS.every((c) => {
    const s = stored[c];
    const o = entryColumn(e, c);
    if (s === null || o === null) return s === o;
    return String(s) === String(o);
  });
}

export async function registerTerminal(client: ClientBase, t: { terminalId: string; storeId: string; storeName: string }): Promise<void> {
  await client.query('INSERT INTO pwp.terminals (terminal_id, store_id, store_name) VALUES ($1, $2, $3) ON CONFLICT (terminal_id) DO NOTHING', [
    t.terminalId,
    t.storeId,
    t.storeName,
  ]);
}

/** The highest seq the chain holds for this terminal (0: none). */
export async function centralHead(client: ClientBase, terminalId: string): Promise<number> {
  const r = await client.query<{ n: string | null }>('SELECT max(seq) AS n FROM pwp.entries WHERE terminal_id = $1', [terminalId]);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Inserts a batch (ascending seqs) in the caller's transaction. Returns how
 * many were new and the conflicts (already recorded in pwp.conflicts).
 */
export async function insertEntries(
  client: ClientBase,
  terminalId: string,
  batch: readonly ShippedEntry[],
): Promise<{ inserted: number; conflicts: Conflict[] }> {
  if (batch.length === 0) return { inserted: 0, conflicts: [] };
  const params: unknown[] = [terminalId, ...ENTRY_COLUMNS.map((c) => batch.map((e) => entryColumn(e, c)))];
  const r = await client.query<{ seq: string }>(INSERT_ENTRIES, params);
  if (r.rows.length === batch.length) return { inserted: batch.length, conflicts: [] };
  // Some were there already: the same (a re-send, fine) or not (refused, flagged).
  const fresh = new Set(r.rows.map((x) => Number(x.seq)));
  const again = batch.filter((e) => !fresh.has(e.seq));
  const stored = await client.query(`SELECT ${ENTRY_COLUMNS.join(', ')} FROM pwp.entries WHERE terminal_id = $1 AND seq = ANY($2::bigint[])`, [
    terminalId,
    again.map((e) => e.seq),
  ]);
  const bySeq = new Map(stored.rows.map((row: Record<string, unknown>) => [Number(row.seq), row]));
  const conflicts: Conflict[] = [];
  for (const e of again) {
    const s = bySeq.get(e.seq);
    if (s && !sameEntry(s, e)) conflicts.push({ what: 'entry', key: String(e.seq), storedHash: String(s.hash), offeredHash: e.hash });
  }
  for (const c of conflicts) {
    const offered = again.find((e) => String(e.seq) === c.key);
    await recordConflict(client, terminalId, c, offered);
  }
  return { inserted: fresh.size, conflicts };
}

async function recordConflict(client: ClientBase, terminalId: string, c: Conflict, offered: unknown): Promise<void> {
  await client.query('INSERT INTO pwp.conflicts (terminal_id, what, key, stored_hash, offered_hash, offered) VALUES ($1, $2, $3, $4, $5, $6)', [
    terminalId,
    c.what,
    c.key,
    c.storedHash,
    c.offeredHash,
    JSON.stringify(offered),
  ]);
}

/** Inserts one day's figures; identical again is a no-op, different is a conflict. */
export async function insertDay(client: ClientBase, terminalId: string, d: ShippedDay): Promise<{ inserted: boolean; conflict: Conflict | null }> {
  const r = await client.query(
    `INSERT INTO pwp.day_totals (terminal_id, day, store_id, utc_offset_minutes, day_from, day_to, currency, ${DAY_FIGURES.join(', ')}, log_seq, log_hash, figures_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, ${DAY_FIGURES.map((_, i) => `$${i + 8}`).join(', ')}, $18, $19, $20)
     ON CONFLICT (terminal_id, day) DO NOTHING RETURNING day`,
    [
      terminalId,
      d.day,
      d.store_id,
      d.utc_offset_minutes,
      d.day_from,
      d.day_to,
      d.currency,
      ...DAY_FIGURES.map((f) => d.figures[f]),
      d.log_seq,
      d.log_hash,
      d.figures_hash,
    ],
  );
  if (r.rows.length === 1) return { inserted: true, conflict: null };
  const stored = await client.query<{ figures_hash: string }>('SELECT figures_hash FROM pwp.day_totals WHERE terminal_id = $1 AND day = $2', [
    terminalId,
    d.day,
  ]);
  const storedHash = stored.rows[0]?.figures_hash ?? '';
  if (storedHash === d.figures_hash) return { inserted: false, conflict: null };
  const conflict: Conflict = { what: 'day', key: d.day, storedHash, offeredHash: d.figures_hash };
  await recordConflict(client, terminalId, conflict, d);
  return { inserted: false, conflict };
}

export async function heartbeat(client: ClientBase, terminalId: string, headSeq: number, shippedSeq: number): Promise<void> {
  await client.query('INSERT INTO pwp.heartbeats (terminal_id, head_seq, shipped_seq) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    terminalId,
    headSeq,
    shippedSeq,
  ]);
}
