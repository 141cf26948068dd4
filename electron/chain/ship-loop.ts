/**
 * The shipping loop, run by the shipper's worker thread (ship-worker.ts) on
 * its own SQLite connection, so reading the log and talking to PostgreSQL
 * never run on the thread that serves the counter.
 *
 * Each connection: check the central schema (migrating it if this role may),
 * register the terminal, resume from min(local cursor, the chain's head)
 * (a crash between the chain's commit and the local cursor only means the
 * last batch is sent again, which is a no-op), then ship batches in seq order
 * (one transaction each), then the end-of-day figures of closed days whose
 * entries are all in, then a heartbeat every few minutes. Any failure: the
 * error goes to the desk, the connection is dropped, and the loop retries
 * with exponential backoff (the counter never waits for any of it).
 */
import { writeSync } from 'node:fs';
import pg from 'pg';
import { ensureCentralSchema } from './central-schema.js';
import { centralHead, heartbeat, insertDay, insertEntries, registerTerminal, type Conflict } from './central-writer.js';
import type { LocalShipStore } from './local-store.js';
import { describeTarget, toChainError } from './pg-errors.js';
import type { ShipLoopOptions } from './ship-options.js';
import type { ShippingState } from './types.js';

export class ShipLoop {
  private stopped = false;
  private wake: (() => void) | null = null;
  private client: pg.Client | null = null;
  private readonly state: ShippingState;
  private batches = 0;
  private lastPost = 0;

  constructor(
    private readonly local: LocalShipStore,
    private readonly o: ShipLoopOptions,
    private readonly publish: (s: ShippingState) => void,
  ) {
    const cursor = local.cursor();
    this.state = {
      enabled: true,
      target: describeTarget(o.postgresUrl),
      connected: false,
      shippedSeq: cursor.seq,
      shippedAt: cursor.at,
      headSeq: local.headSeq(),
      lagEntries: 0,
      lagSeconds: 0,
      lastDayShipped: local.lastDayShipped(),
      lastError: local.lastError(),
      conflicts: local.conflicts(),
    };
    this.refreshLag();
  }

  private now(): number {
    return Date.now() + this.o.nowOffsetMs;
  }

  snapshot(): ShippingState {
    return { ...this.state, conflicts: [...this.state.conflicts] };
  }

  /** Look for new entries now (e.g. after a commit) instead of at the next poll. */
  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.client?.end().catch(() => {});
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private refreshLag(): void {
    const s = this.state;
    s.headSeq = this.local.headSeq();
    s.lagEntries = Math.max(0, s.headSeq - s.shippedSeq);
    const oldest = s.lagEntries > 0 ? this.local.entryTime(s.shippedSeq + 1) : null;
    s.lagSeconds = oldest === null ? 0 : Math.max(0, Math.round((Date.now() - oldest) / 1000));
  }

  private post(force = false): void {
    const t = Date.now();
    if (!force && t - this.lastPost < 200) return;
    this.lastPost = t;
    this.refreshLag();
    this.publish(this.snapshot());
  }

  private fail(e: unknown): void {
    const err = toChainError(e, this.o.postgresUrl);
    const at = new Date().toISOString();
    this.state.connected = false;
    this.state.lastError = { kind: err.kind, message: err.message, at };
    this.local.saveError({ kind: err.kind, message: err.message }, at);
    this.post(true);
  }

  private flagConflicts(conflicts: Conflict[]): void {
    if (conflicts.length === 0) return;
    const at = new Date().toISOString();
    this.local.recordConflicts(conflicts, at);
    this.state.conflicts = this.local.conflicts();
    const first = conflicts[0]!;
    const message = `The chain already holds a different ${first.what === 'entry' ? `log entry ${first.key}` : `end of day for ${first.key}`} from this terminal id: refused and flagged for the chain's administrator (${conflicts.length} in this batch).`;
    this.state.lastError = { kind: 'conflict', message, at };
    this.local.saveError({ kind: 'conflict', message }, at);
  }

  async run(): Promise<void> {
    let backoff = this.o.retryMinMs;
    while (!this.stopped) {
      try {
        await this.connectAndShip();
      } catch (e) {
        if (this.stopped) break;
        this.fail(e);
        const c = this.client;
        this.client = null;
        await c?.end().catch(() => {});
        // Jitter, so a chain's terminals do not all come back in the same second.
        await this.sleep(backoff * (0.75 + Math.random() * 0.5));
        backoff = Math.min(backoff * 2, this.o.retryMaxMs);
        continue;
      }
    }
    await this.client?.end().catch(() => {});
  }

  private async connectAndShip(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.o.postgresUrl,
      connectionTimeoutMillis: this.o.connectTimeoutMs,
      application_name: `pwp-terminal ${this.o.terminalId}`.slice(0, 63),
      // A stuck server must not hold a batch for ever: the loop reconnects.
      query_timeout: 60_000,
    });
    // Errors on an idle connection surface on the next query; do not crash the worker.
    client.on('error', () => {});
    this.client = client;
    await client.connect();
    await ensureCentralSchema(client, this.o.postgresUrl);
    await registerTerminal(client, { terminalId: this.o.terminalId, storeId: this.o.storeId, storeName: this.o.storeName });
    const centralSeq = await centralHead(client, this.o.terminalId);
    let cursor = Math.min(this.local.cursor().seq, centralSeq);
    this.state.connected = true;
    if (this.state.lastError?.kind !== 'conflict') {
      this.state.lastError = null;
      this.local.saveError(null, new Date().toISOString());
    }
    this.state.shippedSeq = cursor;
    this.post(true);
    let lastHeartbeat = 0;
    let lastSaved = Date.now();
    while (!this.stopped) {
      const batch = this.local.readBatch(cursor, this.o.batchSize);
      if (batch.length > 0) {
        this.batches++;
        await client.query('BEGIN');
        const { conflicts } = await insertEntries(client, this.o.terminalId, batch);
        this.maybeHold('after-insert');
        await client.query('COMMIT');
        this.maybeHold('after-commit');
        cursor = batch[batch.length - 1]!.seq;
        const at = new Date().toISOString();
        this.state.shippedSeq = cursor;
        this.state.shippedAt = at;
        this.flagConflicts(conflicts);
        const caughtUp = batch.length < this.o.batchSize;
        if (caughtUp || Date.now() - lastSaved >= this.o.cursorSaveMs || conflicts.length > 0) {
          this.local.saveCursor(cursor, at);
          lastSaved = Date.now();
        }
        this.post(caughtUp);
        if (!caughtUp) continue;
      }
      const now = this.now();
      this.local.closeDays(now, this.o.dayGraceMs, { storeId: this.o.storeId, currency: this.o.currency });
      for (const day of this.local.pendingDays(cursor)) {
        const r = await insertDay(client, this.o.terminalId, day);
        const at = new Date().toISOString();
        if (r.conflict) this.flagConflicts([r.conflict]);
        this.local.markDay(day.day, r.conflict ? 'conflict' : 'shipped', at);
        if (!r.conflict) this.state.lastDayShipped = day.day;
      }
      if (Date.now() - lastHeartbeat >= this.o.heartbeatMs) {
        await heartbeat(client, this.o.terminalId, this.local.headSeq(), cursor);
        lastHeartbeat = Date.now();
      }
      this.post(true);
      await this.sleep(this.o.pollMs);
    }
  }

  /** Tests only: park here for ever (the test kills the process with SIGKILL). */
  private maybeHold(point: 'after-insert' | 'after-commit'): void {
    const h = this.o.hold;
    if (!h || h.point !== point || h.batch !== this.batches) return;
    // Straight to fd 2: the test waits for this line, then kills the process.
    writeSync(2, `[chain-hold] ${point} batch ${this.batches}\n`);
    // Block this thread for ever: nothing after this point may run.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
}
