-- 002: views for reports (read them with any role that has SELECT).

-- Where each terminal stands: what the chain holds, what it last said.
CREATE VIEW pwp.terminal_status AS
SELECT t.terminal_id,
       t.store_id,
       t.store_name,
       e.entries,
       e.last_seq,
       e.last_received_at,
       h.at        AS last_heartbeat_at,
       h.head_seq  AS reported_head_seq,
       GREATEST(COALESCE(h.head_seq, 0) - COALESCE(e.last_seq, 0), 0) AS reported_lag,
       GREATEST(e.last_received_at, h.at) AS last_contact_at,
       (SELECT count(*) FROM pwp.conflicts c WHERE c.terminal_id = t.terminal_id) AS conflicts
  FROM pwp.terminals t
  LEFT JOIN LATERAL (SELECT count(*) AS entries, max(seq) AS last_seq, max(received_at) AS last_received_at
                       FROM pwp.entries x WHERE x.terminal_id = t.terminal_id) e ON true
  LEFT JOIN LATERAL (SELECT hb.at, hb.head_seq FROM pwp.heartbeats hb
                      WHERE hb.terminal_id = t.terminal_id ORDER BY hb.at DESC LIMIT 1) h ON true;

-- One store's end of day: the sum of its terminals' figures for that day.
CREATE VIEW pwp.store_day_totals AS
SELECT d.day,
       d.store_id,
       max(t.store_name)            AS store_name,
       d.currency,
       count(*)                     AS terminals,
       sum(d.redemptions)           AS redemptions,
       sum(d.points_milli)          AS points_milli,
       sum(d.discount_cents)        AS discount_cents,
       sum(d.refunds)               AS refunds,
       sum(d.refunded_cents)        AS refunded_cents,
       sum(d.refunded_points_milli) AS refunded_points_milli,
       sum(d.voids)                 AS voids,
       sum(d.overrides)             AS overrides,
       sum(d.offline_accepted)      AS offline_accepted,
       sum(d.refused_redemptions)   AS refused_redemptions
  FROM pwp.day_totals d
  JOIN pwp.terminals t USING (terminal_id)
 GROUP BY d.day, d.store_id, d.currency;

-- The chain's end of day: every store together (per currency).
CREATE VIEW pwp.chain_day_totals AS
SELECT day,
       currency,
       count(*)                   AS stores,
       sum(terminals)             AS terminals,
       sum(redemptions)           AS redemptions,
       sum(points_milli)          AS points_milli,
       sum(discount_cents)        AS discount_cents,
       sum(refunds)               AS refunds,
       sum(refunded_cents)        AS refunded_cents,
       sum(refunded_points_milli) AS refunded_points_milli,
       sum(voids)                 AS voids,
       sum(overrides)             AS overrides,
       sum(offline_accepted)      AS offline_accepted,
       sum(refused_redemptions)   AS refused_redemptions
  FROM pwp.store_day_totals
 GROUP BY day, currency;

REVOKE ALL ON ALL TABLES IN SCHEMA pwp FROM PUBLIC;
