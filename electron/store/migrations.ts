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
  // 2: the offline policy's last known balances, and voids/refunds on sales.
  `
  CREATE TABLE member_cache (
    member_hash        TEXT PRIMARY KEY,
    identifier_kind    TEXT NOT NULL,
    identifier_value   TEXT NOT NULL,
    backend_member_id  TEXT NOT NULL,
    balance_milli      INTEGER NOT NULL,
    terms_json         TEXT NOT NULL,
    fetched_at         TEXT NOT NULL
  );
  ALTER TABLE sales ADD COLUMN void_requested INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sales ADD COLUMN refunded_cents INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sales ADD COLUMN refunded_points_milli INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sales ADD COLUMN voided_at TEXT;
  ALTER TABLE sales ADD COLUMN receipt_json TEXT;
  `,
  // 3: people and PINs; the manager's desk (handled marks, log anchor, log filter indexes, log search).
  `
  CREATE TABLE people (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
    -- scrypt$N$r$p$salt$hash: never the PIN itself
    pin_hash      TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- wrong PINs in a row, and the lock they caused (ms since epoch): survives a restart
    failed_pins   INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
  );

  -- A manager marked a "needs attention" item handled, with a reason (also logged).
  -- Outbox rows are never changed for this: the mark lives beside them.
  CREATE TABLE attention_handled (
    item        TEXT PRIMARY KEY,          -- 'outbox:<id>'
    sale_id     TEXT,
    handled_by  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    handled_at  TEXT NOT NULL,
    log_seq     INTEGER NOT NULL
  );

  -- The log's head (last seq and hash), moved by a trigger in the same
  -- transaction as every append: a truncated tail shows as entries the anchor
  -- knows of but the log no longer has. max_at/clock_back tell the query code
  -- whether 'at' has always grown with seq (then a date range is a seq range).
  CREATE TABLE log_anchor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    max_at      TEXT NOT NULL,
    clock_back  INTEGER NOT NULL
  );
  INSERT INTO log_anchor (id, seq, hash, max_at, clock_back)
    SELECT 1,
           COALESCE((SELECT seq FROM log ORDER BY seq DESC LIMIT 1), 0),
           COALESCE((SELECT hash FROM log ORDER BY seq DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000'),
           COALESCE((SELECT MAX(at) FROM log), ''),
           (SELECT COUNT(*) FROM (SELECT at, MAX(at) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM log) WHERE at < before);
  CREATE TRIGGER log_anchor_on_append AFTER INSERT ON log BEGIN
    UPDATE log_anchor
       SET seq = NEW.seq, hash = NEW.hash,
           clock_back = clock_back + (NEW.at < max_at),
           max_at = MAX(max_at, NEW.at)
     WHERE id = 1;
  END;

  -- Filters of the manager's log view; each index ends in the rowid (= seq),
  -- so a filtered page walks one index backwards from beforeSeq.
  CREATE INDEX log_actor ON log(actor);
  CREATE INDEX log_kind ON log(kind);
  CREATE INDEX log_outcome ON log(outcome);
  CREATE INDEX log_member_last4 ON log(substr(member_masked, -4));

  -- Free-text search over an entry's words (kind, outcome, actor, sale, masked
  -- member, detail). Contentless: the text lives in the log; rowid = seq.
  CREATE VIRTUAL TABLE log_search USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2');
  CREATE TRIGGER log_search_on_append AFTER INSERT ON log BEGIN
    INSERT INTO log_search (rowid, body) VALUES (NEW.seq,
      NEW.kind || ' ' || NEW.outcome || ' ' || NEW.actor || ' ' || COALESCE(NEW.sale_id, '') || ' ' ||
      COALESCE(NEW.member_masked, '') || ' ' || COALESCE(NEW.detail, ''));
  END;
  INSERT INTO log_search (rowid, body)
    SELECT seq, kind || ' ' || outcome || ' ' || actor || ' ' || COALESCE(sale_id, '') || ' ' || COALESCE(member_masked, '') || ' ' || COALESCE(detail, '') FROM log;
  `,
  // 4: card-linked offer notices (each stored once per transaction id and kind; never a card
  // number: the card is its platform id, scheme and last four) and the receiver's refusal counts.
  `
  CREATE TABLE offer_notices (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id          TEXT NOT NULL,
    type                    TEXT NOT NULL CHECK (type IN ('auth', 'clearing', 'refund')),
    amount_cents            INTEGER NOT NULL,
    currency                TEXT NOT NULL,
    cashback_cents          INTEGER,
    offer_id                TEXT,
    offer_name              TEXT,
    card_id                 TEXT,
    card_scheme             TEXT,
    card_last4              TEXT CHECK (card_last4 IS NULL OR (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*')),
    brand_name              TEXT,
    transaction_at          TEXT NOT NULL,
    received_at             TEXT NOT NULL,
    -- a refund names the purchase it refunds (which may arrive later, or never)
    original_transaction_id TEXT,
    log_seq                 INTEGER NOT NULL,
    UNIQUE (transaction_id, type)
  );
  CREATE INDEX offer_notices_original ON offer_notices(original_transaction_id) WHERE original_transaction_id IS NOT NULL;
  CREATE INDEX offer_notices_at ON offer_notices(transaction_at);

  CREATE TABLE offer_notice_refusals (
    reason  TEXT PRIMARY KEY CHECK (reason IN ('bad-signature', 'stale-timestamp', 'duplicate', 'malformed')),
    count   INTEGER NOT NULL DEFAULT 0,
    last_at TEXT
  );
  `,
  // 5: the outbox's open rows by state and member. Done rows accumulate for ever (the log and the
  // manager's views refer to them), so the queue's counts and a member's outstanding points must not
  // scan the whole table: this partial index holds only what is still pending or waiting for a person.
  `
  CREATE INDEX outbox_open ON outbox(state, member_key) WHERE state IN ('pending', 'attention');
  `,
  // 6: escalating PIN locks: how many locks in a row a person has had (reset by a right PIN,
  // another manager's unlock or a new PIN); the next lock lasts longer (people.ts).
  `
  ALTER TABLE people ADD COLUMN lock_level INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: an attempt in doubt keeps its deadline (sent-at + the longest the backend might still apply
  // it), so a restart waits for it too; and the evidence a manager needs to decide a row nobody
  // can tell about (what was sent when, each lookup's answer, the balances read).
  `
  ALTER TABLE outbox ADD COLUMN in_doubt_until INTEGER;
  ALTER TABLE outbox ADD COLUMN evidence TEXT;
  `,
  // 8: the Settings tab's generic credential rows are gone (the Go live tab is the one place for a
  // program's connection, sealed in the live database). Their sealed row was read by nothing: a
  // secret nobody uses is not kept.
  `
  DELETE FROM settings WHERE key = 'backend_credentials';
  `,
  // 9: reward programs' last known catalogue per member and page (UiTPAS offline: the member
  // still sees and can pick a reward; the offline policy and a manager decide at confirmation).
  `
  CREATE TABLE reward_cache (
    member_hash  TEXT NOT NULL,
    page_start   INTEGER NOT NULL,
    page_limit   INTEGER NOT NULL,
    page_json    TEXT NOT NULL,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (member_hash, page_start, page_limit)
  );
  `,
  // 10: card-linked offers on Pentadata, which lists neither offers nor persons by e-mail nor a
  // card's offers: the terminal keeps what it created (offer names, the customer's names with the
  // e-mail as a keyed hash and masked, cards as scheme + last four, links). Alerts carry a
  // Pentadata-Key and no timestamp: 'stale-timestamp' gives way to 'bad-key'.
  `
  CREATE TABLE offer_offers (
    offer_id    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL
  );
  CREATE TABLE offer_persons (
    person_id    TEXT PRIMARY KEY,
    email_key    TEXT NOT NULL UNIQUE,
    email_masked TEXT NOT NULL,
    first_name   TEXT NOT NULL,
    last_name    TEXT NOT NULL,
    created_at   TEXT NOT NULL
  );
  CREATE TABLE offer_cards (
    card_id     TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL,
    scheme      TEXT NOT NULL,
    last4       TEXT NOT NULL CHECK (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*'),
    enrolled_at TEXT NOT NULL,
    -- the URL this card's alerts were registered for (NULL: not yet)
    alerts_url  TEXT
  );
  CREATE TABLE offer_links (
    card_id   TEXT NOT NULL,
    offer_id  TEXT NOT NULL,
    link_id   TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (card_id, offer_id)
  );
  CREATE TABLE offer_notice_refusals_v2 (
    reason  TEXT PRIMARY KEY CHECK (reason IN ('bad-key', 'bad-signature', 'duplicate', 'malformed')),
    count   INTEGER NOT NULL DEFAULT 0,
    last_at TEXT
  );
  INSERT INTO offer_notice_refusals_v2 SELECT reason, count, last_at FROM offer_notice_refusals WHERE reason != 'stale-timestamp';
  DROP TABLE offer_notice_refusals;
  ALTER TABLE offer_notice_refusals_v2 RENAME TO offer_notice_refusals;
  `,
  // 11: log retention (issue 18): entries older than a manager-set period move to compressed archive
  // files (store/log-archive.ts). Each cut records the last archived entry: the chain in the database
  // continues from its hash, and the archive file (named here, with its sha256) holds everything before.
  `
  CREATE TABLE log_cut (
    seq          INTEGER PRIMARY KEY,   -- the last archived entry
    hash         TEXT NOT NULL,         -- its hash: the next entry's prev_hash
    first_seq    INTEGER NOT NULL,      -- the first entry in this cut's archive file
    file         TEXT NOT NULL,         -- the archive file's name (log-archive/ in the data directory)
    sha256       TEXT NOT NULL,         -- of the archive file as written
    entries      INTEGER NOT NULL,
    archived_at  TEXT NOT NULL
  );
  `,
];
