-- 001: the chain's tables, in their own schema "pwp".
-- Every terminal ships its hash-chained log and its end-of-day figures here.
-- Rows are only ever inserted: the terminals' role may INSERT and SELECT,
-- never UPDATE or DELETE (see grants in the README and `npm run chain -- grant`).

CREATE SCHEMA IF NOT EXISTS pwp;

-- One row per terminal, written once when it first ships.
CREATE TABLE pwp.terminals (
  terminal_id   text PRIMARY KEY CHECK (length(terminal_id) BETWEEN 1 AND 64),
  store_id      text NOT NULL,
  store_name    text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);

-- Every log entry, exactly as the terminal holds it: text stays text (the
-- hash covers the exact characters), so `chain verify` can recompute it.
CREATE TABLE pwp.entries (
  terminal_id   text   NOT NULL REFERENCES pwp.terminals (terminal_id),
  seq           bigint NOT NULL CHECK (seq >= 1),
  at            text   NOT NULL,
  -- the terminal id written inside the entry (hashed); normally terminal_id
  logged_terminal_id text NOT NULL,
  actor         text   NOT NULL,
  sale_id       text,
  kind          text   NOT NULL,
  points_milli  bigint,
  amount_cents  bigint,
  currency      text,
  outcome       text   NOT NULL,
  member_masked text,
  member_hash   text,
  detail        text,
  prev_hash     text   NOT NULL,
  hash          text   NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (terminal_id, seq)
);
CREATE INDEX entries_received ON pwp.entries (terminal_id, received_at);

-- Each terminal's end-of-day figures, one row per terminal and local day,
-- shipped once every entry up to the day's last one is here.
CREATE TABLE pwp.day_totals (
  terminal_id           text   NOT NULL REFERENCES pwp.terminals (terminal_id),
  day                   date   NOT NULL,
  store_id              text   NOT NULL,
  utc_offset_minutes    integer NOT NULL,
  day_from              timestamptz NOT NULL,
  day_to                timestamptz NOT NULL,
  currency              text   NOT NULL,
  redemptions           bigint NOT NULL,
  points_milli          bigint NOT NULL,
  discount_cents        bigint NOT NULL,
  refunds               bigint NOT NULL,
  refunded_cents        bigint NOT NULL,
  refunded_points_milli bigint NOT NULL,
  voids                 bigint NOT NULL,
  overrides             bigint NOT NULL,
  offline_accepted      bigint NOT NULL,
  refused_redemptions   bigint NOT NULL,
  -- the log's last entry of that day (0 and the genesis hash when none yet)
  log_seq               bigint NOT NULL,
  log_hash              text   NOT NULL,
  -- sha256 over the figures above: a re-send with other figures is a conflict
  figures_hash          text   NOT NULL,
  received_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (terminal_id, day)
);

-- A terminal re-sent something under a key the chain already holds, and it
-- differs: the stored row stays, the offer is kept here for a person.
CREATE TABLE pwp.conflicts (
  id           bigserial PRIMARY KEY,
  terminal_id  text NOT NULL,
  what         text NOT NULL CHECK (what IN ('entry', 'day')),
  key          text NOT NULL,
  stored_hash  text NOT NULL,
  offered_hash text NOT NULL,
  offered      jsonb NOT NULL,
  found_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conflicts_terminal ON pwp.conflicts (terminal_id);

-- "I am alive, my log's head is here": at most one per terminal every few
-- minutes, so a terminal that stopped shipping is told from an idle one.
CREATE TABLE pwp.heartbeats (
  terminal_id text   NOT NULL REFERENCES pwp.terminals (terminal_id),
  at          timestamptz NOT NULL DEFAULT now(),
  head_seq    bigint NOT NULL,
  shipped_seq bigint NOT NULL,
  PRIMARY KEY (terminal_id, at)
);

REVOKE ALL ON ALL TABLES IN SCHEMA pwp FROM PUBLIC;
