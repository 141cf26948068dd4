/**
 * Last known balances, for the offline policy: what the backend said about a
 * member the last time it answered, and when. Keyed by the member's keyed
 * hash; the identifier is kept because a redemption accepted offline must be
 * posted with it later.
 */
import type { RedemptionTerms } from '../../shared/domain.js';
import type { MemberIdentifier } from '../../shared/member-number.js';
import type { Db } from './db.js';

export interface CachedMember {
  identifier: MemberIdentifier;
  backendMemberId: string;
  balanceMilli: number;
  terms: RedemptionTerms;
  fetchedAt: string;
}

export class MemberCache {
  private readonly upsertStmt;
  private readonly getStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(
      `INSERT INTO member_cache (member_hash, identifier_kind, identifier_value, backend_member_id, balance_milli, terms_json, fetched_at)
       VALUES (@hash, @kind, @value, @backendId, @balance, @terms, @at)
       ON CONFLICT(member_hash) DO UPDATE SET identifier_kind = excluded.identifier_kind, identifier_value = excluded.identifier_value,
         backend_member_id = excluded.backend_member_id, balance_milli = excluded.balance_milli, terms_json = excluded.terms_json, fetched_at = excluded.fetched_at`,
    );
    this.getStmt = db.prepare('SELECT * FROM member_cache WHERE member_hash = ?');
  }

  remember(memberHash: string, m: CachedMember): void {
    this.upsertStmt.run({
      hash: memberHash,
      kind: m.identifier.kind,
      value: m.identifier.value,
      backendId: m.backendMemberId,
      balance: m.balanceMilli,
      terms: JSON.stringify(m.terms),
      at: m.fetchedAt,
    });
  }

  recall(memberHash: string): CachedMember | undefined {
    const r = this.getStmt.get(memberHash) as
      | { identifier_kind: string; identifier_value: string; backend_member_id: string; balance_milli: number; terms_json: string; fetched_at: string }
      | undefined;
    if (!r) return undefined;
    return {
      identifier: { kind: r.identifier_kind as MemberIdentifier['kind'], value: r.identifier_value },
      backendMemberId: r.backend_member_id,
      balanceMilli: r.balance_milli,
      terms: JSON.parse(r.terms_json) as RedemptionTerms,
      fetchedAt: r.fetched_at,
    };
  }
}
