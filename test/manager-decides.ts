/**
 * What a manager does with a row nobody can tell about, in tests and the crash
 * harness: look the terminal's reference up at the backend (here: the
 * emulator's ledger, which knows the truth) and decide "it was applied" or
 * "send again" through the real contract method. Never used by the terminal.
 */
import type { Db } from '../electron/store/db.js';

export interface InDoubtRow {
  id: number;
  kind: 'redeem' | 'reverse';
  reference: string;
}

/** Rows held for the manager's "applied / send again" decision. */
export function rowsInDoubt(db: Db): InDoubtRow[] {
  return db.prepare(`SELECT id, kind, reference FROM outbox WHERE state = 'attention' AND needs_check = 1 ORDER BY id`).all() as InDoubtRow[];
}

/**
 * Decides every row in doubt by the ledger: `applied(row)` says whether the
 * backend holds the terminal's reference. Returns how many were decided each way.
 */
export async function decideByLedger(
  db: Db,
  applied: (row: InDoubtRow) => boolean,
  resolve: (input: { item: string; decision: 'applied' | 'send-again' }) => Promise<unknown>,
): Promise<{ applied: number; sendAgain: number }> {
  const out = { applied: 0, sendAgain: 0 };
  for (const row of rowsInDoubt(db)) {
    const decision = applied(row) ? 'applied' : 'send-again';
    await resolve({ item: `outbox:${row.id}`, decision });
    if (decision === 'applied') out.applied++;
    else out.sendAgain++;
  }
  return out;
}
