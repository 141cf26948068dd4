/**
 * Numbered schema migrations: MIGRATIONS[i] takes the schema from version i
 * to i+1. Never edit a released migration; append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: settings, sales, the outbox and the hash-chained log.
  `
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE sales (
    id                 TEXT PRIMARY KEY,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    terminal_id        TEXT NOT NULL,
    cashier            TEXT NOT NULL,
    state              TEXT NOT NULL,
    currency           TEXT NOT NULL,
    basket_cents       INTEGER NOT NULL CHECK (basket_cents >= 0),
    -- the member, masked and keyed-hashed: the full number lives only in the outbox payload
    member_masked      TEXT,
    member_hash        TEXT,
    points_milli       INTEGER CHECK (points_milli >= 0),
    discount_cents     INTEGER CHECK (discount_cents >= 0),
    balance_before_milli INTEGER,
    reward_id          TEXT,
    backend_reference  TEXT,
    balance_after_milli INTEGER,
    posted_at          TEXT,
    paid_at            TEXT,
    offline_accepted   INTEGER NOT NULL DEFAULT 0,
    error_json         TEXT
  );
  CREATE INDEX sales_created_at ON sales(created_at);
  CREATE INDEX sales_member_hash ON sales(member_hash);

  CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id         TEXT NOT NULL REFERENCES sales(id),
    kind            TEXT NOT NULL CHECK (kind IN ('redeem', 'reverse')),
    reference       TEXT NOT NULL UNIQUE,
    member_key      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'refused', 'attention', 'cancelled')),
    -- 1 when an attempt may have reached the backend without its answer being stored:
    -- the next attempt must first find out whether it took effect.
    needs_check     INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    result          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
  );
  CREATE INDEX outbox_pending_due ON outbox(next_attempt_at) WHERE state = 'pending';
  CREATE INDEX outbox_member_order ON outbox(member_key, id) WHERE state = 'pending';
  CREATE INDEX outbox_sale ON outbox(sale_id);

  CREATE TABLE log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    terminal_id   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    sale_id       TEXT,
    kind          TEXT NOT NULL,
    points_milli  INTEGER,
    amount_cents  INTEGER,
    currency      TEXT,
    outcome       TEXT NOT NULL,
    member_masked TEXT,
    member_hash   TEXT,
    detail        TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
  );
  CREATE INDEX log_sale ON log(sale_id);
  CREATE INDEX log_at ON log(at);
  `,
];
