/**
 * The UiTPAS rewards desk (shared/contract/reward-desk.ts): a manager lists,
 * creates and edits the organizer's points rewards at UiTPAS and sets the
 * discount each gives at this counter.
 *
 * The discount is the terminal's own figure (UiTPAS has no euro value), so it
 * is kept here: the desk's choices are stored in the settings table
 * (`uitpas.rewardDiscounts`, reward id -> cents or null for "none") and win over
 * the connection's `rewardDiscounts`; they are handed to the adapter at start
 * and on every change, so the counter shows the new discount from its next
 * catalogue look-up.
 *
 * Every write is logged with who approved it (the manager's id is the log
 * entry's actor), the reward, its points and the discount before and after;
 * a refusal is logged too, with UiTPAS's code (a missing REWARDS_WRITE is
 * named in the error).
 */
import type { MethodInput } from '../../shared/contract.js';
import { rewardDeskMethods, type OrganizerRewardView, type RewardDeskMethod, type RewardDeskResults } from '../../shared/contract/reward-desk.js';
import { PosError, toErrorInfo } from '../../shared/errors.js';
import type { UitpasRewardDesk } from '../adapters/uitpas-reward-desk.js';
import type { Store } from '../store/store.js';
import { bindHandlers, type HandlersFor } from '../transport/dispatch.js';

export const REWARD_DISCOUNTS_SETTING = 'uitpas.rewardDiscounts';

export interface RewardDeskOptions {
  terminalId: string;
  /** Gate for manager actions: returns the manager who acts (signed in or approving), throws PosError otherwise. */
  authorizeManager: (action: string, approval?: { managerId: string; pin: string }) => { id: string };
  clock?: () => number;
}

type Result<M extends RewardDeskMethod> = Promise<RewardDeskResults[M]>;

export class RewardDeskService implements HandlersFor<RewardDeskMethod> {
  constructor(
    private readonly store: Store,
    /** Null when the terminal's program is not UiTPAS. */
    private readonly desk: UitpasRewardDesk | null,
    private readonly opts: RewardDeskOptions,
  ) {
    if (desk) for (const [id, cents] of Object.entries(this.stored())) desk.setDiscount(id, cents);
  }

  handlers(): HandlersFor<RewardDeskMethod> {
    return bindHandlers(this, Object.keys(rewardDeskMethods) as RewardDeskMethod[]);
  }

  async listOrganizerRewards(): Result<'listOrganizerRewards'> {
    const desk = this.requireDesk();
    this.opts.authorizeManager('rewards.list');
    return { organizerId: desk.organizerId, currency: desk.currency, rewards: await desk.list() };
  }

  async createOrganizerReward(input: MethodInput<'createOrganizerReward'>): Result<'createOrganizerReward'> {
    const desk = this.requireDesk();
    const who = this.opts.authorizeManager('rewards.create', input.approval);
    let reward: OrganizerRewardView;
    try {
      reward = await desk.create(input.reward);
    } catch (e) {
      this.store.transaction(() =>
        this.append(who.id, 'reward.create', toErrorInfo(e).code, { title: input.reward.title, points: input.reward.points, ...permissionOf(e) }),
      );
      throw e;
    }
    return { reward: this.applyDiscount(who.id, 'reward.create', reward, input.discountCents) };
  }

  async updateOrganizerReward(input: MethodInput<'updateOrganizerReward'>): Result<'updateOrganizerReward'> {
    const desk = this.requireDesk();
    const who = this.opts.authorizeManager('rewards.update', input.approval);
    let reward: OrganizerRewardView;
    try {
      reward = await desk.update(input.rewardId, input.reward);
    } catch (e) {
      this.store.transaction(() =>
        this.append(who.id, 'reward.update', toErrorInfo(e).code, {
          rewardId: input.rewardId,
          title: input.reward.title,
          points: input.reward.points,
          ...permissionOf(e),
        }),
      );
      throw e;
    }
    return { reward: this.applyDiscount(who.id, 'reward.update', reward, input.discountCents) };
  }

  /** Stores the counter's discount for the reward, hands it to the adapter and logs the write. */
  private applyDiscount(actor: string, kind: string, reward: OrganizerRewardView, cents: number | null): OrganizerRewardView {
    const before = reward.discountCents;
    this.store.transaction(() => {
      const all = this.stored();
      all[reward.id] = cents;
      this.store.setSetting(REWARD_DISCOUNTS_SETTING, JSON.stringify(all));
      this.append(actor, kind, 'ok', { rewardId: reward.id, title: reward.title, points: reward.points, discountCentsBefore: before, discountCents: cents });
    });
    this.desk!.setDiscount(reward.id, cents);
    return { ...reward, discountCents: cents };
  }

  private stored(): Record<string, number | null> {
    const raw = this.store.getSetting(REWARD_DISCOUNTS_SETTING);
    if (!raw) return {};
    const parsed = JSON.parse(raw) as Record<string, number | null>;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  }

  private requireDesk(): UitpasRewardDesk {
    if (!this.desk) throw new PosError('NOT_SUPPORTED', 'The rewards desk is for UiTPAS: this terminal runs another loyalty program.');
    return this.desk;
  }

  /** One log entry; the caller holds the transaction. */
  private append(actor: string, kind: string, outcome: string, detail: Record<string, unknown>): void {
    this.store.journal.append({ at: new Date((this.opts.clock ?? Date.now)()).toISOString(), terminalId: this.opts.terminalId, actor, kind, outcome, detail });
  }
}

/** The permission UiTPAS named in a refusal, for the log. */
function permissionOf(e: unknown): Record<string, unknown> {
  const p = e instanceof PosError ? e.details?.permission : undefined;
  return typeof p === 'string' ? { permission: p } : {};
}
