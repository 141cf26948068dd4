/**
 * `chain verify`: checks every terminal's chain in the central database, the
 * same rule as the terminal's own "verify the log" (store/log-row.ts
 * entryHash): each entry's hash covers its fields and the hash before it,
 * seqs run 1, 2, 3... It streams the entries (a server-side cursor, one
 * REPEATABLE READ snapshot), never holding them all, and reports every
 * problem it finds (up to a cap per terminal), not only the first:
 *  - gap        entries missing (including the start, and a cut-off tail that
 *               a shipped end of day or the last heartbeat still knows of);
 *  - changed    an entry's fields no longer give its hash (edited centrally);
 *  - reordered  an entry is intact but does not follow the one before;
 *  - day        a shipped end of day names a last entry the chain has not, or
 *               holds differently;
 *  - stopped    a terminal that has not been in contact for too long;
 *  - conflict   a terminal re-sent something different under a key (pwp.conflicts).
 */
import type { ClientBase } from 'pg';
import { entryHash, GENESIS_HASH } from '../store/log-row.js';

export type ProblemKind = 'gap' | 'changed' | 'reordered' | 'day' | 'stopped' | 'conflict';

export interface ChainProblem {
  terminalId: string;
  kind: ProblemKind;
  seq?: number;
  message: string;
}

export interface TerminalVerdict {
  terminalId: string;
  storeId: string;
  entries: number;
  lastSeq: number;
  lastContactAt: string | null;
  intact: boolean;
}

export interface ChainVerifyReport {
  ok: boolean;
  entries: number;
  terminals: TerminalVerdict[];
  problems: ChainProblem[];
  durationMs: number;
}

export interface ChainVerifyOptions {
  /** A terminal silent for longer than this has "stopped shipping" (default 24 h). */
  staleAfterMs?: number;
  now?: number;
  /** Rows per fetch from the cursor. */
  fetchRows?: number;
  /** Problems listed per terminal before "and N more". */
  maxPerTerminal?: number;
}

const COLUMNS =
  'terminal_id, seq, at, logged_terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash';
const num = (v: unknown): number | null => (v === null ? null : Number(v));

export async function verifyCentral(client: ClientBase, opts: ChainVerifyOptions = {}): Promise<ChainVerifyReport> {
  const started = performance.now();
  const now = opts.now ?? Date.now();
  const staleAfter = opts.staleAfterMs ?? 24 * 3600_000;
  const fetchRows = opts.fetchRows ?? 20_000;
  const cap = opts.maxPerTerminal ?? 20;
  const problems: ChainProblem[] = [];
  const perTerminal = new Map<string, number>();
  const flag = (p: ChainProblem) => {
    const n = (perTerminal.get(p.terminalId) ?? 0) + 1;
    perTerminal.set(p.terminalId, n);
    if (n <= cap) problems.push(p);
  };

  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const terminals = (
      await client.query<{ terminal_id: string; store_id: string; entries: string | null; last_seq: string | null; last_contact_at: Date | null }>(
        'SELECT terminal_id, store_id, entries, last_seq, last_contact_at FROM pwp.terminal_status ORDER BY terminal_id',
      )
    ).rows;
    const lastHash = new Map<string, Map<number, string>>();
    const wanted = new Map<string, Set<number>>();
    // The seqs whose hash the day checks need: each shipped day's last entry.
    const days = (
      await client.query<{ terminal_id: string; day: Date | string; log_seq: string; log_hash: string }>(
        'SELECT terminal_id, day::text AS day, log_seq, log_hash FROM pwp.day_totals ORDER BY terminal_id, day',
      )
    ).rows;
    for (const d of days) {
      if (!wanted.has(d.terminal_id)) wanted.set(d.terminal_id, new Set());
      wanted.get(d.terminal_id)!.add(Number(d.log_seq));
    }

    let entries = 0;
    let current: string | null = null;
    let expected = 1;
    let prev = GENESIS_HASH;
    await client.query(`DECLARE chain_verify NO SCROLL CURSOR FOR SELECT ${COLUMNS} FROM pwp.entries ORDER BY terminal_id, seq`);
    for (;;) {
      const batch = await client.query({ text: `FETCH ${fetchRows} FROM chain_verify`, rowMode: 'array' });
      if (batch.rows.length === 0) break;
      for (const r of batch.rows as unknown[][]) {
        const terminalId = r[0] as string;
        const seq = Number(r[1]);
        if (terminalId !== current) {
          current = terminalId;
          expected = 1;
          prev = GENESIS_HASH;
        }
        entries++;
        const prevHash = r[14] as string;
        const hash = r[15] as string;
        const selfOk =
          entryHash({
            prev_hash: prevHash,
            seq,
            at: r[2] as string,
            terminal_id: r[3] as string,
            actor: r[4] as string,
            sale_id: r[5] as string | null,
            kind: r[6] as string,
            points_milli: num(r[7]),
            amount_cents: num(r[8]),
            currency: r[9] as string | null,
            outcome: r[10] as string,
            member_masked: r[11] as string | null,
            member_hash: r[12] as string | null,
            detail: r[13] as string | null,
          }) === hash;
        if (seq !== expected) {
          flag({ terminalId, kind: 'gap', seq: expected, message: `${terminalId}: entries ${expected} to ${seq - 1} are missing.` });
        } else if (prevHash !== prev && selfOk) {
          flag({
            terminalId,
            kind: 'reordered',
            seq,
            message: `${terminalId}: entry ${seq} does not follow entry ${seq - 1}: entries were reordered or replaced.`,
          });
        }
        if (!selfOk) flag({ terminalId, kind: 'changed', seq, message: `${terminalId}: entry ${seq} was changed (its fields no longer give its hash).` });
        if (wanted.get(terminalId)?.has(seq)) {
          if (!lastHash.has(terminalId)) lastHash.set(terminalId, new Map());
          lastHash.get(terminalId)!.set(seq, hash);
        }
        prev = hash;
        expected = seq + 1;
      }
    }
    await client.query('CLOSE chain_verify');

    const verdicts: TerminalVerdict[] = [];
    const byId = new Map(terminals.map((t) => [t.terminal_id, t]));
    for (const t of terminals) {
      const lastSeq = Number(t.last_seq ?? 0);
      const contact = t.last_contact_at ? new Date(t.last_contact_at).getTime() : null;
      if (contact === null || now - contact > staleAfter) {
        flag({
          terminalId: t.terminal_id,
          kind: 'stopped',
          message:
            contact === null
              ? `${t.terminal_id}: registered but never shipped.`
              : `${t.terminal_id}: has not shipped since ${new Date(contact).toISOString()} (${Math.round((now - contact) / 3600_000)} h).`,
        });
      }
      // A tail the terminal said it had shipped (heartbeat) but the chain no longer holds.
      const shippedClaim = await client.query<{ s: string | null }>('SELECT max(shipped_seq) AS s FROM pwp.heartbeats WHERE terminal_id = $1', [t.terminal_id]);
      const claimed = Number(shippedClaim.rows[0]?.s ?? 0);
      if (claimed > lastSeq)
        flag({
          terminalId: t.terminal_id,
          kind: 'gap',
          seq: lastSeq + 1,
          message: `${t.terminal_id}: entries ${lastSeq + 1} to ${claimed} were shipped but are no longer in the chain.`,
        });
      verdicts.push({
        terminalId: t.terminal_id,
        storeId: t.store_id,
        entries: Number(t.entries ?? 0),
        lastSeq,
        lastContactAt: contact === null ? null : new Date(contact).toISOString(),
        intact: true,
      });
    }
    for (const d of days) {
      const seq = Number(d.log_seq);
      if (seq === 0 || !byId.has(d.terminal_id)) continue;
      const stored = lastHash.get(d.terminal_id)?.get(seq);
      if (stored === undefined)
        flag({
          terminalId: d.terminal_id,
          kind: 'day',
          seq,
          message: `${d.terminal_id}: the end of day ${d.day} ends at entry ${seq}, which the chain does not hold.`,
        });
      else if (stored !== d.log_hash)
        flag({
          terminalId: d.terminal_id,
          kind: 'day',
          seq,
          message: `${d.terminal_id}: the end of day ${d.day} ends at entry ${seq}, but the chain holds a different entry ${seq}.`,
        });
    }
    const conflicts = (
      await client.query<{ terminal_id: string; what: string; key: string; n: string }>(
        'SELECT terminal_id, what, key, count(*) AS n FROM pwp.conflicts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3',
      )
    ).rows;
    for (const c of conflicts) {
      flag({
        terminalId: c.terminal_id,
        kind: 'conflict',
        message: `${c.terminal_id}: sent a different ${c.what === 'entry' ? `entry ${c.key}` : `end of day ${c.key}`} than the chain holds (${c.n} time(s)); the first one was kept.`,
      });
    }
    for (const [id, n] of perTerminal) {
      const first = problems.find((p) => p.terminalId === id)!;
      if (n > cap) problems.push({ terminalId: id, kind: first.kind, message: `${id}: and ${n - cap} more problems.` });
      const v = verdicts.find((x) => x.terminalId === id);
      if (v) v.intact = false;
    }
    await client.query('COMMIT');
    return { ok: problems.length === 0, entries, terminals: verdicts, problems, durationMs: performance.now() - started };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
