/**
 * The terminal's store: one SQLite file holding settings, sales, the outbox
 * and the log. `transaction` is how the service writes a change together
 * with its outbox row and log entry, so they commit or vanish together.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { openDatabase, type Db } from './db.js';
import { Journal } from './journal.js';
import { MemberCache } from './member-cache.js';
import { Outbox } from './outbox.js';
import { RewardCache } from './reward-cache.js';
import { Sales } from './sales.js';

export class Store {
  readonly sales: Sales;
  readonly outbox: Outbox;
  readonly journal: Journal;
  readonly members: MemberCache;
  readonly rewards: RewardCache;
  private readonly memberKeySecret: Buffer;
  private readonly closing: (() => void)[] = [];

  constructor(readonly db: Db) {
    this.sales = new Sales(db);
    this.outbox = new Outbox(db);
    this.journal = new Journal(db);
    this.members = new MemberCache(db);
    this.rewards = new RewardCache(db);
    this.memberKeySecret = Buffer.from(
      this.getOrCreateSetting('member_hash_key', () => randomBytes(32).toString('hex')),
      'hex',
    );
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } finally {
      // After the commit (or rollback): the sealed head file follows the log's head.
      this.journal.flushHead();
    }
  }

  getSetting(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  getOrCreateSetting(key: string, make: () => string): string {
    const existing = this.getSetting(key);
    if (existing !== undefined) return existing;
    const value = make();
    this.setSetting(key, value);
    return value;
  }

  /**
   * A keyed hash of a member identifier: lets the log and the outbox find one
   * member's entries without storing the number itself. The key never leaves
   * this terminal's database.
   */
  memberKey(kind: string, value: string): string {
    return createHmac('sha256', this.memberKeySecret).update(`${kind}:${value}`).digest('hex').slice(0, 32);
  }

  /** Runs `fn` when the store closes, before its database does: work a commit left for a moment later. */
  onClose(fn: () => void): void {
    this.closing.push(fn);
  }

  close(): void {
    for (const fn of this.closing.splice(0)) fn();
    if (this.db.open) this.db.close();
  }
}
