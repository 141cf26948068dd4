/**
 * The terminal service: the checkout flow and its policies, in plain Node
 * (no `electron` import), so it runs the same under Electron, in tests and
 * behind the web host. Every method here is one of the contract's methods
 * (shared/contract.ts); inputs arrive already validated by the transport.
 *
 * The sale moves along shared/sale-state.ts's edges. A confirmed redemption
 * is committed locally (sale + outbox row + log entry, one transaction)
 * before anything is sent; the outbox worker posts it and settles the sale.
 */
import { randomBytes } from 'node:crypto';
import type { MethodInput, MethodResult, TerminalEvent } from '../../shared/contract.js';
import { checkoutMethods } from '../../shared/contract/checkout.js';
import type { MemberView, Quote, RedemptionTerms, SaleView, TerminalStatus } from '../../shared/domain.js';
import { PosError, TRANSIENT_CODES, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import { maskIdentifier, requireMemberIdentifier } from '../../shared/member-number.js';
import { discountCents, formatPoints, money } from '../../shared/money.js';
import { buildQuote, maxRedeemable } from '../../shared/quote.js';
import { CLOSED_STATES } from '../../shared/sale-state.js';
import type { LoyaltyAdapter, MemberAccount, RedeemReceipt, RedeemRequest, ReverseRequest } from '../adapters/types.js';
import type { CachedMember } from '../store/member-cache.js';
import type { OutboxRow } from '../store/outbox.js';
import { errorJson, type SaleRow } from '../store/sales.js';
import { bindHandlers, type HandlersFor } from '../transport/dispatch.js';
import type { Store } from '../store/store.js';
import { Connectivity } from './connectivity.js';
import { isRewardCatalog, type RewardMemberAccount } from '../adapters/rewards.js';
import type { Reward } from '../../shared/rewards.js';
import { normalizeValidationCode, supportsValidationCode, type ValidationCodeSent } from '../adapters/validation-code.js';
import { DEFAULT_OFFLINE_LIMITS, evaluateOffline, OFFLINE_POLICY_SETTING, validateLimits, type OfflineLimits } from './offline-policy.js';
import { OutboxWorker, type AttemptOutcome } from './outbox-worker.js';

/** Who may approve what needs a manager (people.ts implements it). */
export interface ManagerApprovals {
  /** Verifies an active manager's PIN (with lockout); throws PIN_WRONG / LOCKED_OUT / FORBIDDEN. */
  verifyManager(approval: { managerId: string; pin: string }): { id: string; name: string };
}

type Approval = { managerId: string; pin: string; reason: string };

export interface TerminalConfig {
  terminalId: string;
  storeId: string;
  storeName: string;
  currency: string;
  training: boolean;
  /** How long confirm waits for the backend before showing "queued". */
  postWaitMs?: number;
  probeIntervalMs?: number;
  outboxConcurrency?: number;
}

/** What the service remembers about a sale's member while the sale is open. */
interface MemberSession {
  account: MemberAccount;
  /** null when the program refuses redemptions for this member now (blocked says why). */
  terms: RedemptionTerms | null;
  blocked?: ErrorInfo;
  /** The validation code the backend sent the member, for these points. */
  validation?: ValidationCodeSent;
  /** The catalogue reward chosen (reward programs). */
  reward?: Reward;
  fetchedAt: string;
  lastKnown: boolean;
  /** The balance the backend reported (or last reported), before queued redemptions. */
  backendBalanceMilli: number;
  /** This member's redemptions still waiting in the outbox (from earlier sales). */
  queuedMilli: number;
}

type CheckoutMethod = keyof typeof checkoutMethods;

export class TerminalService implements HandlersFor<CheckoutMethod> {
  private readonly members = new Map<string, MemberSession>();
  private readonly listeners = new Set<(e: TerminalEvent) => void>();
  readonly connectivity: Connectivity;
  readonly worker: OutboxWorker;
  private readonly clock: () => number;
  private readonly approvals: ManagerApprovals | null;
  /** Who is at the terminal: every log entry names them. */
  private readonly actor: () => string;

  constructor(
    private readonly store: Store,
    private readonly adapter: LoyaltyAdapter,
    private readonly config: TerminalConfig,
    opts: { clock?: () => number; approvals?: ManagerApprovals; actor?: () => string } = {},
  ) {
    const clock = (this.clock = opts.clock ?? Date.now);
    this.approvals = opts.approvals ?? null;
    this.actor = opts.actor ?? (() => 'cashier');
    this.connectivity = new Connectivity({
      probe: () => adapter.probe(),
      onChange: (online) => {
        this.log({ kind: online ? 'backend.online' : 'backend.offline', outcome: 'ok' });
        this.worker.setPaused(!online);
        this.emitStatus();
      },
      probeIntervalMs: config.probeIntervalMs,
      now: clock,
    });
    this.worker = new OutboxWorker({
      store,
      adapter,
      concurrency: config.outboxConcurrency,
      now: clock,
      onAnswer: () => this.connectivity.reportAnswer(),
      onUnreachable: (err) => this.connectivity.reportFailure(err.code),
      hooks: {
        onSettled: (row, outcome) => this.settleRow(row, outcome),
        // A void asked for while the post was in flight: if the post had not taken effect, it is never sent.
        shouldSend: (row) => row.kind !== 'redeem' || this.store.sales.get(row.sale_id).void_requested === 0,
        // Refused refunds, and refusals of redemptions the sale was already paid on, need a person.
        refusalState: (row) => (row.kind === 'reverse' || this.store.sales.get(row.sale_id).offline_accepted === 1 ? 'attention' : 'refused'),
        afterSettled: (row) => {
          this.emitSale(row.sale_id);
          this.emitStatusSoon();
        },
      },
    });
  }

  start(): void {
    this.log({ kind: 'terminal.started', outcome: 'ok', detail: { training: this.config.training, backend: this.adapter.info.id } });
    this.worker.start();
  }

  async stop(): Promise<void> {
    this.connectivity.stop();
    if (this.statusTimer) clearTimeout(this.statusTimer);
    await this.worker.stop();
  }

  /** The contract methods this service implements, bound for the dispatcher. */
  handlers(): HandlersFor<CheckoutMethod> {
    return bindHandlers(this, Object.keys(checkoutMethods) as CheckoutMethod[]);
  }

  subscribe(listener: (e: TerminalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- contract methods -------------------------------------------------

  async getStatus(): Promise<TerminalStatus> {
    return this.status();
  }

  async startSale(input: MethodInput<'startSale'>): Promise<SaleView> {
    const id = newSaleId(this.clock());
    const at = this.iso();
    this.store.transaction(() => {
      this.store.sales.insert({
        id,
        created_at: at,
        terminal_id: this.config.terminalId,
        cashier: this.actor(),
        state: 'open',
        currency: this.config.currency,
        basket_cents: input.basketCents,
      });
      this.log({ kind: 'sale.started', saleId: id, amountCents: input.basketCents, outcome: 'ok' });
    });
    return this.view(id);
  }

  async setBasket(input: MethodInput<'setBasket'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (!['open', 'identified', 'quoted', 'refused'].includes(sale.state)) {
      throw new PosError('SALE_WRONG_STATE', 'The basket cannot change once the points are confirmed.');
    }
    // A changed basket invalidates any quote: back to choosing points.
    const to = sale.state === 'open' ? 'open' : 'identified';
    this.store.transaction(() => {
      this.store.sales.transition(sale.id, sale.state, to, {
        basket_cents: input.basketCents,
        points_milli: null,
        discount_cents: null,
        error_json: null,
        updated_at: this.iso(),
      });
      this.log({ kind: 'sale.basket', saleId: sale.id, amountCents: input.basketCents, outcome: 'ok' });
    });
    return this.view(sale.id);
  }

  async identifyMember(input: MethodInput<'identifyMember'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (!['open', 'identified', 'quoted', 'refused'].includes(sale.state)) {
      throw new PosError('SALE_WRONG_STATE', 'The member cannot change once the points are confirmed.');
    }
    if (!this.adapter.info.capabilities.balanceAtCounter) {
      throw new PosError('NOT_SUPPORTED', `${this.adapter.info.name} has no points balance at the counter: enrol the customer's card in an offer instead.`);
    }
    let identifier;
    try {
      identifier = requireMemberIdentifier(input.input, this.adapter.info.capabilities.identifiers);
      // A member app code carries a session secret: the adapter keeps it for this sale and
      // gives back the plain id; nothing below (log, hash, store, outbox) ever sees the code.
      if (identifier.kind === 'appCode') {
        if (!this.adapter.acceptAppCode) throw new PosError('MEMBER_NUMBER_FORMAT', 'This loyalty program does not take app codes.', { details: { read: 'GP1:…' } });
        identifier = this.adapter.acceptAppCode(identifier);
      }
    } catch (e) {
      this.log({ kind: 'member.refused', saleId: sale.id, outcome: (e as PosError).code, detail: { source: input.source, length: input.input.length } });
      throw e;
    }
    const masked = maskIdentifier(identifier.value);
    const memberHash = this.store.memberKey(identifier.kind, identifier.value);
    let session: MemberSession;
    let toRemember: CachedMember | null = null;
    try {
      const account = await this.adapter.lookupMember(identifier);
      let terms: RedemptionTerms | null = null;
      let blocked: ErrorInfo | undefined;
      try {
        terms = await this.adapter.getTerms(account);
      } catch (e) {
        // The member exists but the program will not redeem now (e.g. an inactive redemption
        // configuration): show the balance with the reason rather than refusing the member.
        if (!(e instanceof PosError) || TRANSIENT_CODES.has(e.code)) throw e;
        blocked = e.toInfo();
      }
      this.connectivity.reportAnswer();
      const fetchedAt = this.iso();
      const backendBalance = account.balanceMilli ?? 0;
      // Remembered (for the offline policy) in the same transaction as the sale below: one commit.
      if (terms) toRemember = { identifier, backendMemberId: account.backendMemberId, balanceMilli: backendBalance, terms, fetchedAt };
      session = this.newSession(account, terms, fetchedAt, false, memberHash);
      if (blocked) session.blocked = blocked;
    } catch (e) {
      const info = toErrorInfo(e);
      this.connectivity.reportFailure(info.code);
      const cached = TRANSIENT_CODES.has(info.code) ? this.store.members.recall(memberHash) : undefined;
      if (!cached) {
        this.log({ kind: 'member.refused', saleId: sale.id, outcome: info.code, memberMasked: masked, memberHash, detail: { source: input.source } });
        if (TRANSIENT_CODES.has(info.code)) {
          throw new PosError(info.code, `${info.message} This member has no last known balance on this terminal, so points cannot be used until it is back.`);
        }
        throw e;
      }
      // Offline: serve from the last known balance; the offline policy decides at confirmation.
      const account: MemberAccount = { identifier, backendMemberId: cached.backendMemberId, balanceMilli: cached.balanceMilli, messages: [] };
      session = this.newSession(account, cached.terms, cached.fetchedAt, true, memberHash);
    }
    this.members.set(sale.id, session);
    const current = this.store.sales.get(sale.id);
    this.store.transaction(() => {
      if (toRemember) this.store.members.remember(memberHash, toRemember);
      this.store.sales.transition(sale.id, current.state, 'identified', {
        member_masked: masked,
        member_hash: memberHash,
        balance_before_milli: session.account.balanceMilli,
        points_milli: null,
        discount_cents: null,
        error_json: null,
        updated_at: this.iso(),
      });
      this.log({
        kind: 'member.identify',
        saleId: sale.id,
        outcome: session.lastKnown ? 'last-known' : 'ok',
        pointsMilli: session.account.balanceMilli,
        memberMasked: masked,
        memberHash,
        detail: { source: input.source, kind: identifier.kind, queuedMilli: session.queuedMilli, ...(session.lastKnown ? { fetchedAt: session.fetchedAt } : {}) },
      });
    });
    return this.view(sale.id);
  }

  /**
   * The member's usable balance is what the backend says less what this
   * terminal still has to send for them: never quote points twice.
   */
  private newSession(account: MemberAccount, terms: RedemptionTerms | null, fetchedAt: string, lastKnown: boolean, memberHash: string): MemberSession {
    const backendBalanceMilli = account.balanceMilli ?? 0;
    const queuedMilli = this.store.outbox.outstandingRedeemMilli(memberHash);
    return {
      account: { ...account, balanceMilli: account.balanceMilli === null ? null : backendBalanceMilli - queuedMilli },
      terms,
      fetchedAt,
      lastKnown,
      backendBalanceMilli,
      queuedMilli,
    };
  }

  async quote(input: MethodInput<'quote'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (!['identified', 'quoted', 'refused'].includes(sale.state)) throw new PosError('SALE_WRONG_STATE', 'Identify the member first.');
    const session = this.requireMember(sale);
    if (this.adapter.info.capabilities.redemption === 'reward') throw new PosError('NOT_SUPPORTED', 'This program redeems rewards from its catalogue: choose a reward.');
    const terms = this.requireTerms(session);
    let quote;
    try {
      quote = buildQuote(money(sale.basket_cents, sale.currency), session.account.balanceMilli ?? 0, input.pointsMilli, terms);
    } catch (e) {
      this.log({ kind: 'quote', saleId: sale.id, pointsMilli: input.pointsMilli, outcome: toErrorInfo(e).code, memberHash: sale.member_hash, memberMasked: sale.member_masked });
      throw e;
    }
    // A validation code is for given points: other points need a new code.
    if (session.validation && session.validation.pointsMilli !== quote.pointsMilli) delete session.validation;
    this.store.transaction(() => {
      this.store.sales.transition(sale.id, sale.state, 'quoted', {
        points_milli: quote.pointsMilli,
        discount_cents: quote.discount.cents,
        reward_id: null,
        error_json: null,
        updated_at: this.iso(),
      });
      this.log({
        kind: 'quote',
        saleId: sale.id,
        pointsMilli: quote.pointsMilli,
        amountCents: quote.discount.cents,
        outcome: 'ok',
        memberHash: sale.member_hash,
        memberMasked: sale.member_masked,
      });
    });
    return this.view(sale.id);
  }

  async listRewards(input: MethodInput<'listRewards'>): Promise<MethodResult<'listRewards'>> {
    const sale = this.store.sales.get(input.saleId);
    const session = this.requireMember(sale);
    if (!isRewardCatalog(this.adapter)) throw new PosError('NOT_SUPPORTED', 'This program has no reward catalogue: choose an amount of points.');
    try {
      const page = await this.adapter.listRewards(session.account, { start: input.start, limit: input.limit });
      this.connectivity.reportAnswer();
      return page;
    } catch (e) {
      this.connectivity.reportFailure(toErrorInfo(e).code);
      throw e;
    }
  }

  /**
   * Picks a catalogue reward: the backend confirms the member can redeem it
   * now (or says why not, in the member's language), then the quote shows
   * its points price and the discount it gives at this counter.
   */
  async chooseReward(input: MethodInput<'chooseReward'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (!['identified', 'quoted', 'refused'].includes(sale.state)) throw new PosError('SALE_WRONG_STATE', 'Identify the member first.');
    const session = this.requireMember(sale);
    if (!isRewardCatalog(this.adapter)) throw new PosError('NOT_SUPPORTED', 'This program has no reward catalogue: choose an amount of points.');
    const member = { memberHash: sale.member_hash, memberMasked: sale.member_masked };
    let check;
    try {
      check = await this.adapter.checkReward(session.account, input.rewardId);
      this.connectivity.reportAnswer();
    } catch (e) {
      const info = toErrorInfo(e);
      this.connectivity.reportFailure(info.code);
      this.log({ kind: 'quote', saleId: sale.id, outcome: info.code, ...member, detail: { rewardId: input.rewardId } });
      throw e;
    }
    const { reward, availability } = check;
    if (!availability.redeemable) {
      this.log({ kind: 'quote', saleId: sale.id, pointsMilli: reward.pointsMilli, outcome: 'REWARD_NOT_REDEEMABLE', ...member, detail: { rewardId: reward.id, reason: availability.reason } });
      throw new PosError('REWARD_NOT_REDEEMABLE', `"${reward.title}" cannot be redeemed now (${availability.reason.toLowerCase().replace(/_/g, ' ')}).`, {
        endUserMessage: availability.message,
        details: { reason: availability.reason, rewardId: reward.id },
      });
    }
    const balance = session.account.balanceMilli ?? 0;
    if (reward.pointsMilli > balance) {
      throw new PosError('POINTS_ABOVE_BALANCE', `"${reward.title}" costs ${formatPoints(reward.pointsMilli)} points; the member has ${formatPoints(balance)}.`);
    }
    // The discount is this counter's setting for the reward, never more than the basket.
    const discount = Math.min(reward.discount?.cents ?? 0, sale.basket_cents);
    session.reward = reward;
    this.store.transaction(() => {
      this.store.sales.transition(sale.id, sale.state, 'quoted', { points_milli: reward.pointsMilli, discount_cents: discount, reward_id: reward.id, error_json: null, updated_at: this.iso() });
      this.log({ kind: 'quote', saleId: sale.id, pointsMilli: reward.pointsMilli, amountCents: discount, outcome: 'ok', ...member, detail: { rewardId: reward.id, reward: reward.title } });
    });
    return this.view(sale.id);
  }

  async confirmRedemption(input: MethodInput<'confirmRedemption'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    const session = this.members.get(sale.id);
    const offline = session?.lastKnown === true || !this.connectivity.online;
    let validationCode: string | undefined;
    if (this.adapter.info.capabilities.validationCode && session) {
      if (offline) throw new PosError('BACKEND_UNAVAILABLE', 'This program checks a code sent to the member, which needs the program online: points cannot be used offline.');
      validationCode = await this.checkValidationCode(sale, session, input.pointsMilli, input.validationCode);
    }
    if (offline && session) {
      // Decide before anything is committed: past a limit nothing is queued without a manager.
      const decision = this.offlineDecision(sale, session, input.pointsMilli, input.approval, 0);
      this.commitRedemption(sale.id, input.pointsMilli, decision);
      this.worker.kick(); // sent at once if the backend is in fact back; otherwise when the probe sees it
      return this.view(sale.id);
    }
    const rowId = this.commitRedemption(input.saleId, input.pointsMilli, undefined, validationCode);
    await this.worker.sendNow(rowId, this.config.postWaitMs ?? 8000);
    return this.view(input.saleId);
  }

  /** Has the backend send the member a validation code for the quoted points. */
  async requestValidationCode(input: MethodInput<'requestValidationCode'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (sale.state !== 'quoted' || sale.points_milli === null) throw new PosError('SALE_WRONG_STATE', 'Choose the points first: the code is for those points.');
    if (!supportsValidationCode(this.adapter)) throw new PosError('NOT_SUPPORTED', 'This program does not use validation codes.');
    const session = this.requireMember(sale);
    try {
      session.validation = await this.adapter.requestValidationCode(session.account, sale.points_milli);
      this.connectivity.reportAnswer();
    } catch (e) {
      this.connectivity.reportFailure(toErrorInfo(e).code);
      this.log({ kind: 'validation.request', saleId: sale.id, pointsMilli: sale.points_milli, outcome: toErrorInfo(e).code, memberHash: sale.member_hash, memberMasked: sale.member_masked });
      throw e;
    }
    this.log({ kind: 'validation.request', saleId: sale.id, pointsMilli: sale.points_milli, outcome: 'ok', memberHash: sale.member_hash, memberMasked: sale.member_masked, detail: { channel: session.validation.channel } });
    return this.view(sale.id);
  }

  /** Checks the typed code before anything is committed, so a wrong code can simply be typed again. */
  private async checkValidationCode(sale: SaleRow, session: MemberSession, pointsMilli: number, typed: string | undefined): Promise<string> {
    if (!supportsValidationCode(this.adapter)) throw new PosError('NOT_SUPPORTED', 'This program declares validation codes but the terminal cannot ask for them.');
    if (!typed) throw new PosError('VALIDATION_CODE_REQUIRED', 'Type the code the member received (send it first if they have none).');
    const code = normalizeValidationCode(typed);
    try {
      await this.adapter.checkValidationCode(session.account, pointsMilli, code);
      this.connectivity.reportAnswer();
    } catch (e) {
      const info = toErrorInfo(e);
      this.connectivity.reportFailure(info.code);
      this.log({ kind: 'validation.check', saleId: sale.id, pointsMilli, outcome: info.code, memberHash: sale.member_hash, memberMasked: sale.member_masked });
      throw e;
    }
    this.log({ kind: 'validation.check', saleId: sale.id, pointsMilli, outcome: 'ok', memberHash: sale.member_hash, memberMasked: sale.member_masked });
    return code;
  }

  /**
   * The local commit of a confirmed redemption: the sale moves on, its outbox
   * row and its log entry are written, all in one transaction. From here on
   * the redemption cannot be lost: the outbox will post it. With an offline
   * decision the sale is queued and payment may proceed; otherwise it is
   * 'posting' until the backend answers. Returns the outbox row id.
   */
  commitRedemption(saleId: string, pointsMilli: number, offline?: OfflineDecision, validationCode?: string): number {
    const sale = this.store.sales.get(saleId);
    if (sale.state !== 'quoted') throw new PosError('SALE_WRONG_STATE', 'Show the member the points and the discount first.');
    if (sale.points_milli !== pointsMilli) {
      throw new PosError('SALE_WRONG_STATE', 'The points changed since the member saw them: show the new figures and confirm again.');
    }
    const session = this.requireMember(sale);
    // Re-check against the rules: the member confirms what the rules allow, nothing else.
    const quote = sale.reward_id ? this.rewardQuote(sale, session) : buildQuote(money(sale.basket_cents, sale.currency), session.account.balanceMilli ?? 0, pointsMilli, this.requireTerms(session));
    const at = this.iso();
    const attempt = this.store.outbox.forSale(sale.id).filter((r) => r.kind === 'redeem').length + 1;
    const request: RedeemRequest = {
      reference: `${sale.id}.r${attempt}`,
      saleId: sale.id,
      member: { identifier: session.account.identifier, backendMemberId: session.account.backendMemberId },
      pointsMilli: quote.pointsMilli,
      terminalId: this.config.terminalId,
      storeId: this.config.storeId,
      requestedAt: at,
      // Earlier queued redemptions of this member reach the backend first (per-member order),
      // so the balance this one meets there is the one it was quoted against.
      balanceBeforeMilli: session.account.balanceMilli,
      ...(validationCode ? { validationCode } : {}),
      ...(sale.reward_id ? { rewardId: sale.reward_id } : {}),
    };
    const memberLog = { memberHash: sale.member_hash, memberMasked: sale.member_masked };
    return this.store.transaction(() => {
      this.store.sales.transition(sale.id, 'quoted', offline ? 'queued' : 'posting', {
        discount_cents: quote.discount.cents,
        offline_accepted: offline ? 1 : 0,
        error_json: null,
        updated_at: at,
      });
      const id = this.store.outbox.insert({
        sale_id: sale.id,
        kind: 'redeem',
        reference: request.reference,
        member_key: sale.member_hash ?? sale.id,
        payload: request,
        next_attempt_at: this.clock(),
        created_at: at,
      });
      this.log({ kind: 'redeem.confirmed', saleId: sale.id, pointsMilli: quote.pointsMilli, amountCents: quote.discount.cents, outcome: 'ok', ...memberLog, detail: { reference: request.reference } });
      if (offline) this.logOfflineDecision(sale.id, quote.pointsMilli, offline, memberLog);
      return id;
    });
  }

  /** A reward's quote: its fixed points price and the discount chosen at chooseReward. */
  private rewardQuote(sale: SaleRow, session: MemberSession): Quote {
    const points = sale.points_milli ?? 0;
    const balance = session.account.balanceMilli ?? 0;
    if (points > balance) throw new PosError('POINTS_ABOVE_BALANCE', `The member has ${formatPoints(balance)} points.`);
    const discount = sale.discount_cents ?? 0;
    return {
      pointsMilli: points,
      discount: money(discount, sale.currency),
      balanceBeforeMilli: balance,
      balanceAfterMilli: balance - points,
      toPay: money(sale.basket_cents - discount, sale.currency),
    };
  }

  /**
   * The backend stopped answering after the member confirmed: let the sale
   * proceed to payment on the offline policy (a manager approves past a limit).
   */
  async acceptOffline(input: MethodInput<'acceptOffline'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (sale.state !== 'queued') throw new PosError('SALE_WRONG_STATE', 'Only a redemption waiting for the loyalty program can be accepted offline.');
    if (sale.offline_accepted === 1) return this.view(sale.id);
    const session = this.requireMember(sale);
    const own = sale.points_milli ?? 0; // its own row is already in the queue
    const decision = this.offlineDecision(sale, session, own, input.approval, own);
    this.store.transaction(() => {
      this.store.sales.patch(sale.id, 'queued', { offline_accepted: 1, updated_at: this.iso() });
      this.logOfflineDecision(sale.id, own, decision, { memberHash: sale.member_hash, memberMasked: sale.member_masked });
    });
    return this.view(sale.id);
  }

  private offlineLimits(): OfflineLimits {
    const raw = this.store.getSetting(OFFLINE_POLICY_SETTING);
    return raw ? validateLimits(JSON.parse(raw)) : DEFAULT_OFFLINE_LIMITS;
  }

  /** Applies the offline policy; throws OFFLINE_LIMIT naming every limit passed, unless a manager approved. */
  private offlineDecision(sale: SaleRow, session: MemberSession, pointsMilli: number, approval: Approval | undefined, alreadyQueuedOwn: number): OfflineDecision {
    const breaches = evaluateOffline(this.offlineLimits(), {
      pointsMilli,
      lastKnownBalanceMilli: session.backendBalanceMilli,
      queuedForMemberMilli: this.store.outbox.outstandingRedeemMilli(sale.member_hash ?? sale.id) - alreadyQueuedOwn,
      queuedTotalMilli: this.store.outbox.outstandingRedeemMilli() - alreadyQueuedOwn,
      balanceFetchedAtMs: Date.parse(session.fetchedAt),
      nowMs: this.clock(),
    });
    if (sale.reward_id) {
      // Volume, period and card-system rules live at the backend: a last known balance cannot check them.
      breaches.push({ limit: 'rewardRules', overridable: true, message: 'Offline, the reward\'s limits and period cannot be checked.' });
    }
    if (breaches.length === 0) return { breaches, manager: null, reason: null };
    const details = { breaches };
    const hard = breaches.filter((b) => !b.overridable);
    if (hard.length > 0) {
      this.log({ kind: 'offline.refused', saleId: sale.id, pointsMilli, outcome: 'OFFLINE_LIMIT', memberHash: sale.member_hash, memberMasked: sale.member_masked, detail: details });
      throw new PosError('OFFLINE_LIMIT', `Offline, these points cannot be used: ${hard.map((b) => b.message).join(' ')}`, { details: { ...details, overridable: false } });
    }
    if (!approval) {
      this.log({ kind: 'offline.refused', saleId: sale.id, pointsMilli, outcome: 'OFFLINE_LIMIT', memberHash: sale.member_hash, memberMasked: sale.member_masked, detail: details });
      throw new PosError('OFFLINE_LIMIT', `Offline limit reached: ${breaches.map((b) => b.message).join(' ')} A manager can approve.`, { details: { ...details, overridable: true } });
    }
    const manager = this.approve(approval, 'offline.override', sale.id);
    return { breaches, manager, reason: approval.reason };
  }

  private logOfflineDecision(saleId: string, pointsMilli: number, d: OfflineDecision, member: { memberHash: string | null; memberMasked: string | null }): void {
    this.log({
      kind: d.manager ? 'offline.override' : 'offline.accepted',
      saleId,
      pointsMilli,
      outcome: 'ok',
      ...member,
      detail: d.manager ? { managerId: d.manager.id, manager: d.manager.name, reason: d.reason, limits: d.breaches.map((b) => b.limit) } : { limits: [] },
    });
  }

  /** Verifies a manager's approval; a wrong PIN is logged and refused. */
  private approve(approval: Approval, action: string, saleId: string | null): { id: string; name: string } {
    if (!this.approvals) throw new PosError('MANAGER_REQUIRED', 'No manager is set up on this terminal yet.');
    try {
      return this.approvals.verifyManager(approval);
    } catch (e) {
      this.log({ kind: 'approval.refused', saleId, outcome: toErrorInfo(e).code, detail: { action, managerId: approval.managerId } });
      throw e;
    }
  }

  async retryRedemption(input: MethodInput<'retryRedemption'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    const pending = this.store.outbox.forSale(sale.id).find((r) => r.state === 'pending');
    if (!pending) throw new PosError('SALE_WRONG_STATE', 'Nothing is waiting to be sent for this sale.');
    this.log({ kind: 'outbox.retry-now', saleId: sale.id, outcome: 'ok', memberMasked: sale.member_masked, memberHash: sale.member_hash });
    await this.worker.sendNow(pending.id, this.config.postWaitMs ?? 8000);
    return this.view(sale.id);
  }

  async markPaid(input: MethodInput<'markPaid'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (sale.state !== 'posted' && !(sale.state === 'queued' && sale.offline_accepted === 1)) {
      throw new PosError('SALE_WRONG_STATE', 'Payment can be taken once the loyalty program (or the offline policy) has accepted the points.');
    }
    const at = this.iso();
    this.store.transaction(() => {
      this.store.sales.transition(sale.id, sale.state, 'paid', { paid_at: at, updated_at: at });
      this.log({
        kind: 'sale.paid',
        saleId: sale.id,
        amountCents: sale.basket_cents - (sale.discount_cents ?? 0),
        pointsMilli: sale.points_milli,
        outcome: 'ok',
        memberMasked: sale.member_masked,
        memberHash: sale.member_hash,
      });
    });
    this.members.delete(sale.id);
    return this.view(sale.id);
  }

  /**
   * Closes a sale before any points were taken. A redemption still waiting in
   * the queue is withdrawn in the same transaction; one being sent right now
   * is marked, and settles as a void when its answer arrives.
   */
  async cancelSale(input: MethodInput<'cancelSale'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (sale.state === 'cancelled' || sale.state === 'voided') throw new PosError('ALREADY_VOIDED');
    if (['open', 'identified', 'quoted', 'refused'].includes(sale.state)) {
      this.store.transaction(() => {
        this.store.sales.transition(sale.id, sale.state, 'cancelled', { updated_at: this.iso() });
        this.log({ kind: 'sale.cancelled', saleId: sale.id, outcome: 'ok', memberMasked: sale.member_masked, memberHash: sale.member_hash });
      });
    } else if (sale.state === 'posting' || sale.state === 'queued') {
      this.withdrawOrMark(sale, null);
    } else {
      throw new PosError('MANAGER_REQUIRED', 'The points were taken: a manager must void this sale.');
    }
    this.members.delete(sale.id);
    return this.view(sale.id);
  }

  /** Voids a sale after its points were (or may have been) taken. Needs a manager. */
  async voidSale(input: MethodInput<'voidSale'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (sale.state === 'cancelled' || sale.state === 'voided' || sale.void_requested === 1) throw new PosError('ALREADY_VOIDED');
    if (['open', 'identified', 'quoted', 'refused'].includes(sale.state)) return this.cancelSale({ saleId: sale.id });
    const manager = this.approve(input.approval, 'sale.void', sale.id);
    const by = { manager, reason: input.approval.reason };
    const redeem = this.redeemRow(sale.id);
    if (sale.state === 'posting' || sale.state === 'queued' || (sale.state === 'paid' && redeem?.state === 'pending')) {
      this.withdrawOrMark(sale, by);
    } else if (redeem?.state === 'refused' || redeem?.state === 'cancelled' || !redeem) {
      // Paid, but the backend never took the points: nothing to give back.
      this.store.transaction(() => {
        this.store.sales.transition(sale.id, sale.state, 'voided', { voided_at: this.iso(), updated_at: this.iso() });
        this.log({ kind: 'sale.voided', saleId: sale.id, outcome: 'ok', memberMasked: sale.member_masked, memberHash: sale.member_hash, detail: { ...this.byDetail(by), compensation: 'none: no points were taken' } });
      });
    } else if (redeem.state === 'attention') {
      // The redemption already waits for a manager: refused after an offline sale (nothing was
      // taken), or its outcome is unknown (the points may have been taken). The void closes the
      // sale; in the unknown case a person must check at the backend and give back what was taken.
      const unknown = (sale.error_json ? (JSON.parse(sale.error_json) as ErrorInfo).code : 'OUTCOME_UNKNOWN') === 'OUTCOME_UNKNOWN';
      const at = this.iso();
      this.store.transaction(() => {
        this.store.sales.transition(sale.id, sale.state, 'voided', { voided_at: at, updated_at: at });
        this.log({ kind: 'sale.voided', saleId: sale.id, outcome: 'ok', memberMasked: sale.member_masked, memberHash: sale.member_hash, detail: { ...this.byDetail(by), compensation: unknown ? 'manual check' : 'none: no points were taken' } });
        if (unknown) {
          const why = `Manual action needed at ${this.adapter.info.name}: check whether redemption ${redeem.reference} took ${formatPoints(sale.points_milli ?? 0)} points, and if it did, give them back (the sale was voided).`;
          this.store.outbox.insertForAttention({ sale_id: sale.id, kind: 'reverse', reference: `${sale.id}.v-check`, member_key: redeem.member_key, payload: { reference: `${sale.id}.v-check`, saleId: sale.id, pointsMilli: sale.points_milli ?? 0 }, created_at: at, why });
          this.log({ kind: 'refund.manual-action', saleId: sale.id, pointsMilli: sale.points_milli, outcome: 'OUTCOME_UNKNOWN', memberMasked: sale.member_masked, memberHash: sale.member_hash, detail: { message: why } });
        }
      });
    } else {
      const remaining = (sale.points_milli ?? 0) - sale.refunded_points_milli;
      this.store.transaction(() => {
        this.store.sales.transition(sale.id, sale.state, 'voided', {
          voided_at: this.iso(),
          updated_at: this.iso(),
          refunded_cents: sale.basket_cents,
          refunded_points_milli: sale.points_milli ?? 0,
        });
        this.log({ kind: 'sale.voided', saleId: sale.id, pointsMilli: remaining, outcome: 'ok', memberMasked: sale.member_masked, memberHash: sale.member_hash, detail: this.byDetail(by) });
        // A welcome reward takes no points but still counts against its limits: cancel it too.
        if (remaining > 0 || sale.reward_id) this.enqueueCompensation(sale, remaining, 'void');
      });
      this.worker.kick();
    }
    this.members.delete(sale.id);
    return this.view(sale.id);
  }

  /**
   * Gives back points for part of a paid sale: in proportion to the part
   * refunded, rounded up to the backend's precision (the member's favour),
   * never more than remains of what was taken.
   */
  async refundSale(input: MethodInput<'refundSale'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (sale.state === 'voided' || sale.state === 'cancelled') throw new PosError('ALREADY_VOIDED');
    if (sale.state !== 'paid') throw new PosError('SALE_WRONG_STATE', 'Only a paid sale can be refunded.');
    const remainingCents = sale.basket_cents - sale.refunded_cents;
    if (input.amountCents > remainingCents) {
      throw new PosError('AMOUNT_INVALID', `At most ${(remainingCents / 100).toFixed(2)} remains to refund on this sale.`, { details: { limitCents: remainingCents } });
    }
    const redeem = this.redeemRow(sale.id);
    if (redeem?.state === 'pending') throw new PosError('SALE_WRONG_STATE', 'The points are still waiting to be sent: void the sale instead, or refund once they are posted.');
    const manager = this.approve(input.approval, 'sale.refund', sale.id);
    const taken = redeem?.state === 'done' ? (sale.points_milli ?? 0) : 0;
    const full = input.amountCents === remainingCents;
    const step = 10 ** (3 - this.adapter.info.capabilities.pointsDecimals);
    const remainingPoints = taken - sale.refunded_points_milli;
    const proportional = Math.ceil((taken * input.amountCents) / sale.basket_cents / step) * step;
    const points = full ? remainingPoints : Math.min(remainingPoints, proportional);
    const at = this.iso();
    this.store.transaction(() => {
      const patch = { refunded_cents: sale.refunded_cents + input.amountCents, refunded_points_milli: sale.refunded_points_milli + points, updated_at: at };
      if (full) this.store.sales.transition(sale.id, 'paid', 'voided', { ...patch, voided_at: at });
      else this.store.sales.patch(sale.id, 'paid', patch);
      this.log({
        kind: 'sale.refunded',
        saleId: sale.id,
        amountCents: input.amountCents,
        pointsMilli: points,
        outcome: 'ok',
        memberMasked: sale.member_masked,
        memberHash: sale.member_hash,
        detail: { ...this.byDetail({ manager, reason: input.approval.reason }), full },
      });
      if (points > 0) this.enqueueCompensation(sale, points, full && sale.refunded_points_milli === 0 ? 'void' : 'partial');
    });
    this.worker.kick();
    return this.view(sale.id);
  }

  async listSales(input: MethodInput<'listSales'>): Promise<{ sales: SaleView[] }> {
    return { sales: this.store.sales.list(input).map((r) => this.view(r.id)) };
  }

  private byDetail(by: { manager: { id: string; name: string }; reason: string } | null): Record<string, unknown> {
    return by ? { approvedBy: by.manager.name, managerId: by.manager.id, reason: by.reason } : {};
  }

  private redeemRow(saleId: string): OutboxRow | undefined {
    const rows = this.store.outbox.forSale(saleId).filter((r) => r.kind === 'redeem');
    return rows[rows.length - 1];
  }

  /** A void before the backend answered: withdraw the unsent row, or mark the one in flight. */
  private withdrawOrMark(sale: SaleRow, by: { manager: { id: string; name: string }; reason: string } | null): void {
    const row = this.redeemRow(sale.id);
    const at = this.iso();
    const member = { memberMasked: sale.member_masked, memberHash: sale.member_hash };
    this.store.transaction(() => {
      const inFlight = row ? this.worker.isInFlight(row.id) : false;
      if (row && row.state === 'pending' && !inFlight && row.needs_check === 0 && this.store.outbox.cancel(row.id, at, 'withdrawn by a void before it was sent')) {
        const to = sale.state === 'paid' ? 'voided' : 'cancelled';
        this.store.sales.transition(sale.id, sale.state, to, { updated_at: at, ...(to === 'voided' ? { voided_at: at } : {}) });
        this.log({ kind: to === 'voided' ? 'sale.voided' : 'sale.cancelled', saleId: sale.id, pointsMilli: sale.points_milli, outcome: 'ok', ...member, detail: { ...this.byDetail(by), withdrawn: row.reference } });
      } else {
        // In flight: the answer decides. Taken -> the refund follows; not taken -> nothing is sent.
        this.store.sales.patch(sale.id, sale.state, { void_requested: 1, updated_at: at });
        this.log({ kind: 'sale.void-requested', saleId: sale.id, pointsMilli: sale.points_milli, outcome: 'ok', ...member, detail: this.byDetail(by) });
      }
    });
  }

  /**
   * Queues the compensating action for points that were taken, by the
   * adapter's declared capability: a reversal through the outbox (same member
   * queue, so never before the redemption it compensates), or, where the
   * backend cannot reverse (or not partly), a "manual action needed" row that
   * stays on the manager's list. Call inside a transaction.
   */
  private enqueueCompensation(sale: SaleRow, pointsMilli: number, kind: 'void' | 'partial'): void {
    const redeem = this.redeemRow(sale.id);
    if (!redeem || redeem.state !== 'done' || !redeem.result) throw new PosError('INTERNAL', 'No posted redemption to compensate.');
    const original = JSON.parse(redeem.payload) as RedeemRequest;
    const receipt = JSON.parse(redeem.result) as RedeemReceipt;
    const n = this.store.outbox.forSale(sale.id).filter((r) => r.kind === 'reverse').length + 1;
    const at = this.iso();
    const request: ReverseRequest = {
      reference: `${sale.id}.v${n}`,
      saleId: sale.id,
      member: original.member,
      pointsMilli,
      original: { ...original, receipt },
      terminalId: this.config.terminalId,
      storeId: this.config.storeId,
      requestedAt: at,
    };
    const reversal = this.adapter.info.capabilities.reversal;
    const row = { sale_id: sale.id, kind: 'reverse' as const, reference: request.reference, member_key: redeem.member_key, payload: request, created_at: at };
    const member = { memberMasked: sale.member_masked, memberHash: sale.member_hash };
    if (reversal === 'none' || (reversal === 'full' && (kind === 'partial' || pointsMilli !== original.pointsMilli))) {
      const txn = receipt.detail && (receipt.detail as Record<string, unknown>).txnNumber;
      const why = `Manual action needed at ${this.adapter.info.name}: give back ${formatPoints(pointsMilli)} points to the member${txn ? ` (transaction ${String(txn)})` : ''}; ${reversal === 'none' ? 'this program cannot reverse through its API' : 'this program reverses only whole redemptions'}.`;
      this.store.outbox.insertForAttention({ ...row, why });
      this.log({ kind: 'refund.manual-action', saleId: sale.id, pointsMilli, outcome: 'REVERSAL_NOT_SUPPORTED', ...member, detail: { reference: request.reference, message: why } });
      return;
    }
    this.store.outbox.insert({ ...row, next_attempt_at: this.clock() });
    this.log({ kind: 'refund.queued', saleId: sale.id, pointsMilli, outcome: 'ok', ...member, detail: { reference: request.reference, of: original.reference } });
  }

  async getSale(input: MethodInput<'getSale'>): Promise<SaleView> {
    return this.view(input.saleId);
  }

  async listLog(input: MethodInput<'listLog'>): Promise<{ entries: ReturnType<Store['journal']['list']> }> {
    return { entries: this.store.journal.list(input) };
  }

  // ---- outbox settlement --------------------------------------------------

  /** Runs inside the transaction that stores the row's outcome. */
  private settleRow(row: OutboxRow, outcome: AttemptOutcome): void {
    if (row.kind === 'reverse') return this.settleReverse(row, outcome);
    const sale = this.store.sales.get(row.sale_id);
    const at = this.iso();
    const base = { saleId: sale.id, memberMasked: sale.member_masked, memberHash: sale.member_hash, pointsMilli: sale.points_milli };
    const detail = { attempt: row.attempts, reference: row.reference };
    switch (outcome.type) {
      case 'done': {
        const receipt = outcome.receipt as RedeemReceipt;
        const patch = { backend_reference: receipt.backendReference, balance_after_milli: receipt.balanceAfterMilli, receipt_json: JSON.stringify(receipt), posted_at: at, error_json: null, updated_at: at };
        if (sale.void_requested === 1) {
          // The void raced the post and the post won: the points were taken, so give them back.
          this.store.sales.transition(sale.id, sale.state, 'voided', { ...patch, voided_at: at, refunded_cents: sale.basket_cents, refunded_points_milli: sale.points_milli ?? 0 });
          this.log({ ...base, kind: 'redeem.posted', amountCents: sale.discount_cents, outcome: 'ok', detail: { ...detail, reconciled: outcome.reconciled, backendReference: receipt.backendReference } });
          this.log({ ...base, kind: 'sale.voided', outcome: 'ok', detail: { after: 'in-flight post succeeded' } });
          if ((sale.points_milli ?? 0) > 0 || sale.reward_id) this.enqueueCompensation(this.store.sales.get(sale.id), sale.points_milli ?? 0, 'void');
          break;
        }
        if (sale.state === 'posting' || sale.state === 'queued') this.store.sales.transition(sale.id, sale.state, 'posted', patch);
        else this.store.sales.patch(sale.id, sale.state, patch);
        const session = this.members.get(sale.id);
        if (session && receipt.balanceAfterMilli !== null) session.account = { ...session.account, balanceMilli: receipt.balanceAfterMilli };
        this.log({ ...base, kind: 'redeem.posted', amountCents: sale.discount_cents, outcome: 'ok', detail: { ...detail, reconciled: outcome.reconciled, backendReference: receipt.backendReference } });
        break;
      }
      case 'withdrawn':
      case 'refused':
      case 'attention': {
        const error: ErrorInfo = outcome.type === 'withdrawn' ? { code: 'SALE_WRONG_STATE', message: 'Withdrawn by a void before it was sent.' } : outcome.error;
        if (sale.void_requested === 1 && outcome.type !== 'attention') {
          const to = sale.state === 'paid' ? 'voided' : 'cancelled';
          this.store.sales.transition(sale.id, sale.state, to, { updated_at: at, ...(to === 'voided' ? { voided_at: at } : {}) });
          this.log({ ...base, kind: outcome.type === 'withdrawn' ? 'redeem.withdrawn' : 'redeem.refused', outcome: error.code, detail: { ...detail, message: error.message } });
          this.log({ ...base, kind: to === 'voided' ? 'sale.voided' : 'sale.cancelled', outcome: 'ok', detail: { after: 'no points were taken' } });
          break;
        }
        if (sale.state === 'posting' || sale.state === 'queued') {
          this.store.sales.transition(sale.id, sale.state, 'refused', { error_json: errorJson(error), updated_at: at });
        } else {
          this.store.sales.patch(sale.id, sale.state, { error_json: errorJson(error), updated_at: at });
        }
        const atRisk = sale.offline_accepted === 1 && outcome.type !== 'withdrawn';
        this.log({
          ...base,
          kind: outcome.type === 'attention' ? 'redeem.attention' : atRisk ? 'redeem.at-risk' : 'redeem.refused',
          amountCents: sale.discount_cents,
          outcome: error.code,
          detail: { ...detail, message: error.message, ...(atRisk ? { amountAtRiskCents: sale.discount_cents } : {}) },
        });
        break;
      }
      case 'retry': {
        if (sale.void_requested === 1 && !outcome.needsCheck && this.store.outbox.cancel(row.id, at, 'withdrawn by a void; the failed attempt had not taken effect')) {
          const to = sale.state === 'paid' ? 'voided' : 'cancelled';
          this.store.sales.transition(sale.id, sale.state, to, { updated_at: at, ...(to === 'voided' ? { voided_at: at } : {}) });
          this.log({ ...base, kind: 'redeem.withdrawn', outcome: outcome.error.code, detail });
          this.log({ ...base, kind: to === 'voided' ? 'sale.voided' : 'sale.cancelled', outcome: 'ok', detail: { after: 'no points were taken' } });
          break;
        }
        if (sale.state === 'posting') this.store.sales.transition(sale.id, 'posting', 'queued', { error_json: errorJson(outcome.error), updated_at: at });
        else if (sale.state === 'queued') this.store.sales.patch(sale.id, 'queued', { error_json: errorJson(outcome.error), updated_at: at });
        this.log({ ...base, kind: 'redeem.attempt', outcome: outcome.error.code, detail: { ...detail, message: outcome.error.message, nextAttemptAt: new Date(outcome.nextAttemptAt).toISOString(), needsCheck: outcome.needsCheck } });
        break;
      }
    }
  }

  private settleReverse(row: OutboxRow, outcome: AttemptOutcome): void {
    const sale = this.store.sales.get(row.sale_id);
    const points = (JSON.parse(row.payload) as ReverseRequest).pointsMilli;
    const base = { saleId: sale.id, memberMasked: sale.member_masked, memberHash: sale.member_hash, pointsMilli: points };
    const detail = { attempt: row.attempts, reference: row.reference };
    switch (outcome.type) {
      case 'done':
        this.log({ ...base, kind: 'refund.posted', outcome: 'ok', detail: { ...detail, reconciled: outcome.reconciled, balanceAfterMilli: (outcome.receipt as { balanceAfterMilli: number | null }).balanceAfterMilli } });
        break;
      case 'retry':
        this.log({ ...base, kind: 'refund.attempt', outcome: outcome.error.code, detail: { ...detail, message: outcome.error.message } });
        break;
      case 'refused':
      case 'attention':
        this.log({ ...base, kind: 'refund.manual-action', outcome: outcome.error.code, detail: { ...detail, message: `Manual action needed: ${outcome.error.message}` } });
        break;
      case 'withdrawn':
        break;
    }
  }

  // ---- views and helpers ----------------------------------------------

  status(): TerminalStatus {
    const last = this.connectivity.lastContactAt;
    return {
      training: this.config.training,
      backend: this.adapter.info,
      terminalId: this.config.terminalId,
      storeName: this.config.storeName,
      currency: this.config.currency,
      online: this.connectivity.online,
      lastContactAt: last === null ? null : new Date(last).toISOString(),
      queue: this.store.outbox.counts(),
    };
  }

  view(saleId: string): SaleView {
    const sale = this.store.sales.get(saleId);
    const session = this.members.get(saleId);
    const basket = money(sale.basket_cents, sale.currency);
    const rows = this.store.outbox.forSale(sale.id);
    const redeem = rows.filter((r) => r.kind === 'redeem').pop();
    const reversals = rows.filter((r) => r.kind === 'reverse');
    const v: SaleView = {
      id: sale.id,
      state: sale.state,
      createdAt: sale.created_at,
      basket,
      paymentAllowed: sale.state === 'posted' || (sale.state === 'queued' && sale.offline_accepted === 1),
      offlineAccepted: sale.offline_accepted === 1,
      voidPending: sale.void_requested === 1 && !CLOSED_STATES.has(sale.state) ? true : sale.void_requested === 1 && sale.state === 'paid',
      refunded: { cents: sale.refunded_cents, pointsMilli: sale.refunded_points_milli },
    };
    if (redeem) v.redemption = REDEMPTION_STATUS[redeem.state];
    if (reversals.length) {
      const manual = reversals.find((r) => r.state === 'attention');
      v.compensation = manual
        ? { state: 'manual-action', message: manual.last_error ?? undefined }
        : reversals.some((r) => r.state === 'pending')
          ? { state: 'waiting' }
          : { state: 'done' };
    }
    if (session && !CLOSED_STATES.has(sale.state)) {
      const balance = session.account.balanceMilli ?? 0;
      v.member = this.memberView(sale, session);
      if (session.terms) {
        v.terms = session.terms;
        v.maxPointsMilli = maxRedeemable(basket, balance, session.terms);
      } else {
        v.maxPointsMilli = 0;
      }
      if (session.blocked && !sale.error_json) v.error = session.blocked;
      if (session.validation) v.validationCode = session.validation;
      if (session.reward && sale.reward_id === session.reward.id) {
        const r = session.reward;
        v.reward = { id: r.id, title: r.title, kind: r.kind, pointsMilli: r.pointsMilli, discount: r.discount };
      }
    } else if (sale.member_masked) {
      // A closed (or restarted) sale: the member as recorded, not a live or last-known balance.
      v.member = {
        identifierKind: 'card',
        masked: sale.member_masked,
        balanceMilli: sale.balance_after_milli ?? sale.balance_before_milli ?? 0,
        balanceValue: money(0, sale.currency),
        fetchedAt: sale.updated_at,
        lastKnown: false,
        queuedMilli: 0,
        messages: [],
      };
    }
    if (sale.points_milli !== null && sale.discount_cents !== null) {
      const before = sale.balance_before_milli ?? 0;
      v.quote = {
        pointsMilli: sale.points_milli,
        discount: money(sale.discount_cents, sale.currency),
        balanceBeforeMilli: before,
        balanceAfterMilli: before - sale.points_milli,
        toPay: money(sale.basket_cents - sale.discount_cents, sale.currency),
      };
      if (session?.terms?.benefit === 'cashback') v.quote.cashback = money(discountCents(sale.points_milli, session.terms.rate), sale.currency);
    }
    if (sale.backend_reference || sale.posted_at) {
      const receipt = sale.receipt_json ? (JSON.parse(sale.receipt_json) as RedeemReceipt) : null;
      v.result = {
        backendReference: sale.backend_reference ?? undefined,
        balanceAfterMilli: sale.balance_after_milli ?? undefined,
        postedAt: sale.posted_at ?? undefined,
        ...(receipt?.detail ? { detail: receipt.detail } : {}),
      };
    }
    if (sale.error_json) v.error = JSON.parse(sale.error_json) as ErrorInfo;
    return v;
  }

  private memberView(sale: SaleRow, s: MemberSession): MemberView {
    const balance = s.account.balanceMilli ?? 0;
    const id = s.account.identifier;
    return {
      identifierKind: id.kind,
      masked: maskIdentifier(id.value),
      firstName: s.account.firstName,
      balanceMilli: balance,
      balanceValue: money(s.terms ? discountCents(Math.max(0, balance), s.terms.rate) : 0, sale.currency),
      fetchedAt: s.fetchedAt,
      lastKnown: s.lastKnown,
      queuedMilli: s.queuedMilli,
      messages: s.account.messages,
      ...passholderFacts(s.account),
    };
  }

  private requireTerms(session: MemberSession): RedemptionTerms {
    if (session.terms) return session.terms;
    const b = session.blocked;
    throw new PosError(b?.code ?? 'REDEMPTION_NOT_ACTIVE', b?.message, b?.endUserMessage ? { endUserMessage: b.endUserMessage } : {});
  }

  private requireMember(sale: SaleRow): MemberSession {
    const s = this.members.get(sale.id);
    if (!s) throw new PosError('SALE_WRONG_STATE', 'Scan the member card again (the terminal restarted since).');
    return s;
  }

  private log(e: LogFields): void {
    this.store.journal.append({
      at: this.iso(),
      terminalId: this.config.terminalId,
      actor: this.actor(),
      currency: e.amountCents != null ? this.config.currency : null,
      ...e,
    });
  }

  private iso(): string {
    return new Date(this.clock()).toISOString();
  }

  private emit(e: TerminalEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a broken listener must not break the terminal */
      }
    }
  }

  private emitStatus(): void {
    this.emit({ type: 'status', status: this.status() });
  }

  private statusTimer: NodeJS.Timeout | null = null;

  /**
   * One status event per burst of settled rows: counting the queue for every
   * row a drain settles would make a drain of N rows cost O(N^2). The screens
   * still see the count move within a fraction of a second.
   */
  private emitStatusSoon(): void {
    if (this.statusTimer) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      if (this.listeners.size > 0) this.emitStatus();
    }, 200);
    this.statusTimer.unref();
  }

  private emitSale(saleId: string): void {
    if (this.listeners.size === 0) return; // no screen: do not build views for a drain nobody watches
    this.emit({ type: 'sale', sale: this.view(saleId) });
  }
}

type LogFields = {
  kind: string;
  outcome: string;
  saleId?: string | null;
  pointsMilli?: number | null;
  amountCents?: number | null;
  memberMasked?: string | null;
  memberHash?: string | null;
  detail?: Record<string, unknown>;
};

interface OfflineDecision {
  breaches: ReturnType<typeof evaluateOffline>;
  manager: { id: string; name: string } | null;
  reason: string | null;
}

const REDEMPTION_STATUS: Record<OutboxRow['state'], NonNullable<SaleView['redemption']>> = {
  pending: 'waiting',
  done: 'posted',
  refused: 'refused',
  attention: 'attention',
  cancelled: 'cancelled',
};

/** UiTPAS passholder facts the counter shows (pass type, social tariff), when the backend gives them. */
function passholderFacts(account: MemberAccount): Pick<MemberView, 'passType' | 'socialTariff'> {
  const p = (account as RewardMemberAccount).passholder;
  return p ? { passType: p.passType, socialTariff: p.socialTariff } : {};
}

/** Time-ordered, unguessable sale ids: sort by creation, safe in URLs and references. */
export function newSaleId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}
