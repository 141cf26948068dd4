/**
 * Reward programs' last known catalogue (UiTPAS): each page the backend gave
 * for a member, with when. Offline, the counter shows it (marked as last
 * known) so a reward can still be chosen within the offline policy; keyed by
 * the member's keyed hash, like the last known balance.
 */
import type { RewardPage } from '../adapters/rewards.js';
import type { Db } from './db.js';

export interface CachedRewardPage {
  page: RewardPage;
  fetchedAt: string;
}

export class RewardCache {
  private readonly upsertStmt;
  private readonly getStmt;
  private readonly allStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(
      `INSERT INTO reward_cache (member_hash, page_start, page_limit, page_json, fetched_at) VALUES (@hash, @start, @limit, @json, @at)
       ON CONFLICT(member_hash, page_start, page_limit) DO UPDATE SET page_json = excluded.page_json, fetched_at = excluded.fetched_at`,
    );
    this.getStmt = db.prepare('SELECT page_json, fetched_at FROM reward_cache WHERE member_hash = ? AND page_start = ? AND page_limit = ?');
    this.allStmt = db.prepare('SELECT page_json, fetched_at FROM reward_cache WHERE member_hash = ? ORDER BY fetched_at DESC');
  }

  /** Keyed by the page as asked for (start, limit), which is how it is asked for again. */
  remember(memberHash: string, start: number, limit: number, page: RewardPage, fetchedAt: string): void {
    this.upsertStmt.run({ hash: memberHash, start, limit, json: JSON.stringify(page), at: fetchedAt });
  }

  /** The page asked for exactly as it was last seen. */
  recall(memberHash: string, start: number, limit: number): CachedRewardPage | undefined {
    const r = this.getStmt.get(memberHash, start, limit) as { page_json: string; fetched_at: string } | undefined;
    return r ? { page: JSON.parse(r.page_json) as RewardPage, fetchedAt: r.fetched_at } : undefined;
  }

  /** One reward as last seen in any of the member's pages (the newest reading wins). */
  findReward(memberHash: string, rewardId: string): { offer: RewardPage['offers'][number]; fetchedAt: string } | undefined {
    for (const r of this.allStmt.all(memberHash) as { page_json: string; fetched_at: string }[]) {
      const offer = (JSON.parse(r.page_json) as RewardPage).offers.find((o) => o.id === rewardId);
      if (offer) return { offer, fetchedAt: r.fetched_at };
    }
    return undefined;
  }
}
