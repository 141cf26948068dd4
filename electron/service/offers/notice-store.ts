/**
 * Where card-linked notices land: the offer_notices table (once per
 * transaction id and kind) and, in the same transaction, one entry of the
 * hash-chained log, so a notice shows in the manager's log and can never be
 * stored without its log entry or the other way round. Also the receiver's
 * refusal counts (offer_notice_refusals).
 *
 * A notice carries the card as platform id, scheme and last four (the table
 * refuses anything but four digits for the latter); never a number. The raw
 * body Pentadata sent (its field names are not published) goes into the log
 * entry, scrubbed of digit runs, so a manager can read what came.
 */
import type { NoticeRefusalCount, NoticeRefusalReason, NoticeType, OfferNoticeTotals, OfferNoticeView } from '../../../shared/contract/offers.js';
import type { Db } from '../../store/db.js';
import type { Store } from '../../store/store.js';

export const REFUSAL_REASONS: readonly NoticeRefusalReason[] = ['bad-key', 'bad-signature', 'duplicate', 'malformed'];

/** The log kinds a notice writes. */
export const NOTICE_LOG_KIND = { auth: 'offer.auth', refund: 'offer.refund' } as const;

/** One notice as the terminal stores it: never a card number. */
export interface ParsedNotice {
  transactionId: string;
  type: NoticeType;
  amountCents: number;
  currency: string;
  cashbackCents: number | null;
  offerId: string | null;
  offerName: string | null;
  cardId: string | null;
  scheme: string | null;
  last4: string | null;
  brandName: string | null;
  transactionAt: string;
  originalTransactionId: string | null;
  /** How it came: the alert Pentadata sent, or the catch-up's read of the card's transactions. */
  source: 'alert' | 'catch-up';
  /** What Pentadata sent, scrubbed of digit runs (for the log). */
  raw: string;
}
/** Who a notice's log entry is from: the platform, not a person at the till. */
export const NOTICE_ACTOR = 'card-platform';

interface NoticeRow {
  id: number;
  transaction_id: string;
  type: NoticeType;
  amount_cents: number;
  currency: string;
  cashback_cents: number | null;
  offer_id: string | null;
  offer_name: string | null;
  card_id: string | null;
  card_scheme: string | null;
  card_last4: string | null;
  brand_name: string | null;
  transaction_at: string;
  received_at: string;
  original_transaction_id: string | null;
  log_seq: number;
}

type ListedRow = NoticeRow & { o_id: number | null; o_amount: number | null; o_currency: string | null; o_at: string | null };

/** Masked like the log's member numbers: only the last four stay. */
export function maskedCard(last4: string | null): string | null {
  return last4 ? `••••••••${last4}` : null;
}

export class NoticeStore {
  constructor(
    private readonly store: Store,
    private readonly terminalId: string,
  ) {}

  /**
   * Stores a verified notice once: 'duplicate' when this transaction id and
   * kind are already here (a redelivery), without writing anything.
   */
  record(n: ParsedNotice, receivedAt: string): { outcome: 'stored'; id: number; logSeq: number } | { outcome: 'duplicate' } {
    const db = this.store.db;
    return this.store.transaction(() => {
      const exists = db.prepare('SELECT id FROM offer_notices WHERE transaction_id = ? AND type = ?').get(n.transactionId, n.type);
      if (exists) return { outcome: 'duplicate' as const };
      const original = n.originalTransactionId
        ? (db.prepare("SELECT id FROM offer_notices WHERE transaction_id = ? AND type != 'refund' ORDER BY id LIMIT 1").get(n.originalTransactionId) as
            { id: number } | undefined)
        : undefined;
      const logSeq = this.store.journal.append({
        at: receivedAt,
        terminalId: this.terminalId,
        actor: NOTICE_ACTOR,
        kind: NOTICE_LOG_KIND[n.type],
        amountCents: n.amountCents,
        currency: n.currency,
        outcome: 'received',
        memberMasked: maskedCard(n.last4),
        memberHash: n.cardId ? this.store.memberKey('cardlinked-card', n.cardId) : null,
        detail: {
          transactionId: n.transactionId,
          offerId: n.offerId,
          offerName: n.offerName,
          cashbackCents: n.cashbackCents,
          scheme: n.scheme,
          last4: n.last4,
          cardId: n.cardId,
          brandName: n.brandName,
          transactionAt: n.transactionAt,
          source: n.source,
          raw: n.raw,
          ...(n.originalTransactionId ? { originalTransactionId: n.originalTransactionId, originalFound: original !== undefined } : {}),
        },
      });
      const r = db
        .prepare(
          `INSERT INTO offer_notices (transaction_id, type, amount_cents, currency, cashback_cents, offer_id, offer_name, card_id, card_scheme, card_last4,
                                      brand_name, transaction_at, received_at, original_transaction_id, log_seq)
           VALUES (@transactionId, @type, @amountCents, @currency, @cashbackCents, @offerId, @offerName, @cardId, @scheme, @last4,
                   @brandName, @transactionAt, @receivedAt, @originalTransactionId, @logSeq)`,
        )
        .run({
          transactionId: n.transactionId,
          type: n.type,
          amountCents: n.amountCents,
          currency: n.currency,
          cashbackCents: n.cashbackCents,
          offerId: n.offerId,
          offerName: n.offerName,
          cardId: n.cardId,
          scheme: n.scheme,
          last4: n.last4,
          brandName: n.brandName,
          transactionAt: n.transactionAt,
          receivedAt,
          originalTransactionId: n.originalTransactionId,
          logSeq,
        });
      return { outcome: 'stored' as const, id: Number(r.lastInsertRowid), logSeq };
    });
  }

  countRefusal(reason: NoticeRefusalReason, at: string): void {
    this.store.db
      .prepare(
        'INSERT INTO offer_notice_refusals (reason, count, last_at) VALUES (?, 1, ?) ON CONFLICT(reason) DO UPDATE SET count = count + 1, last_at = excluded.last_at',
      )
      .run(reason, at);
  }

  refusals(): NoticeRefusalCount[] {
    const rows = this.store.db.prepare('SELECT reason, count, last_at FROM offer_notice_refusals').all() as {
      reason: NoticeRefusalReason;
      count: number;
      last_at: string | null;
    }[];
    const by = new Map(rows.map((r) => [r.reason, r]));
    return REFUSAL_REASONS.map((reason) => ({ reason, count: by.get(reason)?.count ?? 0, lastAt: by.get(reason)?.last_at ?? null }));
  }

  /** Whether a transaction is stored already (the catch-up's deduplication). */
  has(transactionId: string): boolean {
    return this.store.db.prepare('SELECT 1 FROM offer_notices WHERE transaction_id = ? LIMIT 1').get(transactionId) !== undefined;
  }

  lastReceivedAt(): string | null {
    const r = this.store.db.prepare('SELECT MAX(received_at) AS at FROM offer_notices').get() as { at: string | null };
    return r.at;
  }

  /** Newest first; a refund comes with the purchase it refunds when that notice is here. */
  list(opts: { limit: number; beforeId?: number; from?: string; to?: string }): { notices: OfferNoticeView[]; nextBeforeId: number | null } {
    const where = ['n.id < @before'];
    if (opts.from) where.push('n.transaction_at >= @from');
    if (opts.to) where.push('n.transaction_at < @to');
    const rows = this.store.db
      .prepare(
        `SELECT n.*, o.id AS o_id, o.amount_cents AS o_amount, o.currency AS o_currency, o.transaction_at AS o_at
           FROM offer_notices n
           LEFT JOIN offer_notices o
             ON o.id = (SELECT x.id FROM offer_notices x WHERE x.transaction_id = n.original_transaction_id AND x.type != 'refund' ORDER BY x.id LIMIT 1)
          WHERE ${where.join(' AND ')}
          ORDER BY n.id DESC
          LIMIT @limit`,
      )
      .all({ before: opts.beforeId ?? Number.MAX_SAFE_INTEGER, from: opts.from ?? null, to: opts.to ?? null, limit: opts.limit + 1 }) as ListedRow[];
    const more = rows.length > opts.limit;
    const page = rows.slice(0, opts.limit);
    return { notices: page.map(toView), nextBeforeId: more ? page[page.length - 1]!.id : null };
  }

  /** Figures for a range of purchase times, in `currency` (see noticeTotals). */
  totals(currency: string, range: { from?: string; to?: string } = {}): OfferNoticeTotals {
    return noticeTotals(this.store.db, currency, range);
  }
}

function toView(r: ListedRow): OfferNoticeView {
  return {
    id: r.id,
    transactionId: r.transaction_id,
    type: r.type,
    amount: { cents: r.amount_cents, currency: r.currency },
    cashback: r.cashback_cents === null ? null : { cents: r.cashback_cents, currency: r.currency },
    offerId: r.offer_id,
    offerName: r.offer_name,
    card: { id: r.card_id, scheme: r.card_scheme, last4: r.card_last4 },
    brandName: r.brand_name,
    transactionAt: r.transaction_at,
    receivedAt: r.received_at,
    originalTransactionId: r.original_transaction_id,
    original: r.o_id === null ? null : { id: r.o_id, amount: { cents: r.o_amount!, currency: r.o_currency! }, transactionAt: r.o_at! },
    logSeq: r.log_seq,
  };
}

/**
 * Card-linked figures for a range of purchase times, in `currency`: each
 * purchase once (a 'clearing' row, only in a database from before Pentadata, counts instead of its authorisation),
 * refunds apart. Shared by the notices view and the end-of-day summary.
 */
export function noticeTotals(db: Db, currency: string, range: { from?: string; to?: string } = {}): OfferNoticeTotals {
  const cond = ['currency = @currency'];
  if (range.from) cond.push('transaction_at >= @from');
  if (range.to) cond.push('transaction_at < @to');
  const params = { currency, from: range.from ?? null, to: range.to ?? null };
  const p = db
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS amount, COALESCE(SUM(cashback_cents), 0) AS cashback, COUNT(cashback_cents) AS known FROM (
         SELECT amount_cents, cashback_cents,
                ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY (type = 'clearing') DESC, id DESC) AS rn
           FROM offer_notices WHERE type != 'refund' AND ${cond.join(' AND ')}
       ) WHERE rn = 1`,
    )
    .get(params) as { n: number; amount: number; cashback: number; known: number };
  const r = db
    .prepare(
      `SELECT COUNT(*) AS n, COALESCE(-SUM(amount_cents), 0) AS amount, COALESCE(-SUM(cashback_cents), 0) AS cashback, COUNT(cashback_cents) AS known FROM offer_notices WHERE type = 'refund' AND ${cond.join(' AND ')}`,
    )
    .get(params) as { n: number; amount: number; cashback: number; known: number };
  return {
    currency,
    purchases: p.n,
    purchaseCents: p.amount,
    cashbackCents: p.cashback,
    cashbackKnown: p.known + r.known,
    refunds: r.n,
    refundCents: r.amount,
    refundCashbackCents: r.cashback,
  };
}
