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
import type { MethodInput, TerminalEvent } from '../../shared/contract.js';
import { checkoutMethods } from '../../shared/contract/checkout.js';
import type { MemberView, RedemptionTerms, SaleView, TerminalStatus } from '../../shared/domain.js';
import { PosError, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import { maskIdentifier, requireMemberIdentifier } from '../../shared/member-number.js';
import { discountCents, money } from '../../shared/money.js';
import { buildQuote, maxRedeemable } from '../../shared/quote.js';
import { CLOSED_STATES } from '../../shared/sale-state.js';
import type { LoyaltyAdapter, MemberAccount, RedeemReceipt, RedeemRequest } from '../adapters/types.js';
import type { OutboxRow } from '../store/outbox.js';
import { errorJson, type SaleRow } from '../store/sales.js';
import { bindHandlers, type HandlersFor } from '../transport/dispatch.js';
import type { Store } from '../store/store.js';
import { Connectivity } from './connectivity.js';
import { OutboxWorker, type AttemptOutcome } from './outbox-worker.js';

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
  terms: RedemptionTerms;
  fetchedAt: string;
  lastKnown: boolean;
}

type CheckoutMethod = keyof typeof checkoutMethods;

export class TerminalService implements HandlersFor<CheckoutMethod> {
  private readonly members = new Map<string, MemberSession>();
  private readonly listeners = new Set<(e: TerminalEvent) => void>();
  readonly connectivity: Connectivity;
  readonly worker: OutboxWorker;
  private readonly actor = 'cashier';

  constructor(
    private readonly store: Store,
    private readonly adapter: LoyaltyAdapter,
    private readonly config: TerminalConfig,
    private readonly clock: () => number = Date.now,
  ) {
    this.connectivity = new Connectivity({
      probe: () => adapter.probe(),
      onChange: (online) => {
        this.log({ kind: online ? 'backend.online' : 'backend.offline', outcome: 'ok' });
        if (online) this.worker.kick();
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
        afterSettled: (row) => {
          this.emitSale(row.sale_id);
          this.emitStatus();
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
        cashier: this.actor,
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
    let identifier;
    try {
      identifier = requireMemberIdentifier(input.input, this.adapter.info.capabilities.identifiers);
    } catch (e) {
      this.log({ kind: 'member.refused', saleId: sale.id, outcome: (e as PosError).code, detail: { source: input.source, length: input.input.length } });
      throw e;
    }
    const masked = maskIdentifier(identifier.value);
    const memberHash = this.store.memberKey(identifier.kind, identifier.value);
    let account: MemberAccount;
    let terms: RedemptionTerms;
    try {
      account = await this.adapter.lookupMember(identifier);
      terms = await this.adapter.getTerms(account);
      this.connectivity.reportAnswer();
    } catch (e) {
      const info = toErrorInfo(e);
      this.connectivity.reportFailure(info.code);
      this.log({ kind: 'member.refused', saleId: sale.id, outcome: info.code, memberMasked: masked, memberHash, detail: { source: input.source } });
      throw e;
    }
    const fetchedAt = this.iso();
    this.members.set(sale.id, { account, terms, fetchedAt, lastKnown: false });
    const current = this.store.sales.get(sale.id);
    this.store.transaction(() => {
      this.store.sales.transition(sale.id, current.state, 'identified', {
        member_masked: masked,
        member_hash: memberHash,
        balance_before_milli: account.balanceMilli,
        points_milli: null,
        discount_cents: null,
        error_json: null,
        updated_at: fetchedAt,
      });
      this.log({
        kind: 'member.identify',
        saleId: sale.id,
        outcome: 'ok',
        pointsMilli: account.balanceMilli,
        memberMasked: masked,
        memberHash,
        detail: { source: input.source, kind: identifier.kind },
      });
    });
    return this.view(sale.id);
  }

  async quote(input: MethodInput<'quote'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (!['identified', 'quoted', 'refused'].includes(sale.state)) throw new PosError('SALE_WRONG_STATE', 'Identify the member first.');
    const session = this.requireMember(sale);
    let quote;
    try {
      quote = buildQuote(money(sale.basket_cents, sale.currency), session.account.balanceMilli ?? 0, input.pointsMilli, session.terms);
    } catch (e) {
      this.log({ kind: 'quote', saleId: sale.id, pointsMilli: input.pointsMilli, outcome: toErrorInfo(e).code, memberHash: sale.member_hash, memberMasked: sale.member_masked });
      throw e;
    }
    this.store.transaction(() => {
      this.store.sales.transition(sale.id, sale.state, 'quoted', {
        points_milli: quote.pointsMilli,
        discount_cents: quote.discount.cents,
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

  async confirmRedemption(input: MethodInput<'confirmRedemption'>): Promise<SaleView> {
    const rowId = this.commitRedemption(input.saleId, input.pointsMilli);
    await this.worker.sendNow(rowId, this.config.postWaitMs ?? 8000);
    return this.view(input.saleId);
  }

  /**
   * The local commit of a confirmed redemption: the sale moves to 'posting',
   * its outbox row and its log entry are written, all in one transaction.
   * From here on the redemption cannot be lost: the outbox will post it.
   * Returns the outbox row id.
   */
  commitRedemption(saleId: string, pointsMilli: number): number {
    const sale = this.store.sales.get(saleId);
    if (sale.state !== 'quoted') throw new PosError('SALE_WRONG_STATE', 'Show the member the points and the discount first.');
    if (sale.points_milli !== pointsMilli) {
      throw new PosError('SALE_WRONG_STATE', 'The points changed since the member saw them: show the new figures and confirm again.');
    }
    const session = this.requireMember(sale);
    // Re-check against the rules: the member confirms what the rules allow, nothing else.
    const quote = buildQuote(money(sale.basket_cents, sale.currency), session.account.balanceMilli ?? 0, pointsMilli, session.terms);
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
      balanceBeforeMilli: session.account.balanceMilli,
    };
    return this.store.transaction(() => {
      this.store.sales.transition(sale.id, 'quoted', 'posting', { discount_cents: quote.discount.cents, error_json: null, updated_at: at });
      const id = this.store.outbox.insert({
        sale_id: sale.id,
        kind: 'redeem',
        reference: request.reference,
        member_key: sale.member_hash ?? sale.id,
        payload: request,
        next_attempt_at: this.clock(),
        created_at: at,
      });
      this.log({
        kind: 'redeem.confirmed',
        saleId: sale.id,
        pointsMilli: quote.pointsMilli,
        amountCents: quote.discount.cents,
        outcome: 'ok',
        memberHash: sale.member_hash,
        memberMasked: sale.member_masked,
        detail: { reference: request.reference },
      });
      return id;
    });
  }

  async retryRedemption(input: MethodInput<'retryRedemption'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    const pending = this.store.outbox.forSale(sale.id).find((r) => r.state === 'pending');
    if (!pending) throw new PosError('SALE_WRONG_STATE', 'Nothing is waiting to be sent for this sale.');
    this.log({ kind: 'redeem.retry-now', saleId: sale.id, outcome: 'ok', memberMasked: sale.member_masked, memberHash: sale.member_hash });
    await this.worker.sendNow(pending.id, this.config.postWaitMs ?? 8000);
    return this.view(sale.id);
  }

  async markPaid(input: MethodInput<'markPaid'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (sale.state !== 'posted' && !(sale.state === 'queued' && sale.offline_accepted === 1)) {
      throw new PosError('SALE_WRONG_STATE', 'Payment can be taken once the loyalty program has accepted the points.');
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

  async cancelSale(input: MethodInput<'cancelSale'>): Promise<SaleView> {
    const sale = this.store.sales.get(input.saleId);
    if (!['open', 'identified', 'quoted', 'refused'].includes(sale.state)) {
      throw new PosError('SALE_WRONG_STATE', 'This sale cannot simply be cancelled at this step.');
    }
    this.store.transaction(() => {
      this.store.sales.transition(sale.id, sale.state, 'cancelled', { updated_at: this.iso() });
      this.log({ kind: 'sale.cancelled', saleId: sale.id, outcome: 'ok', memberMasked: sale.member_masked, memberHash: sale.member_hash });
    });
    this.members.delete(sale.id);
    return this.view(sale.id);
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
    if (row.kind !== 'redeem') return;
    const sale = this.store.sales.get(row.sale_id);
    const at = this.iso();
    const base = { saleId: sale.id, memberMasked: sale.member_masked, memberHash: sale.member_hash, pointsMilli: sale.points_milli };
    switch (outcome.type) {
      case 'done': {
        const receipt = outcome.receipt as RedeemReceipt;
        if (sale.state === 'posting' || sale.state === 'queued') {
          this.store.sales.transition(sale.id, sale.state, 'posted', {
            backend_reference: receipt.backendReference,
            balance_after_milli: receipt.balanceAfterMilli,
            posted_at: at,
            error_json: null,
            updated_at: at,
          });
        } else {
          this.store.sales.patch(sale.id, sale.state, { backend_reference: receipt.backendReference, balance_after_milli: receipt.balanceAfterMilli, posted_at: at, updated_at: at });
        }
        const session = this.members.get(sale.id);
        if (session && receipt.balanceAfterMilli !== null) session.account = { ...session.account, balanceMilli: receipt.balanceAfterMilli };
        this.log({ ...base, kind: 'redeem.posted', amountCents: sale.discount_cents, outcome: 'ok', detail: { attempt: row.attempts, reconciled: outcome.reconciled, backendReference: receipt.backendReference } });
        break;
      }
      case 'refused':
      case 'attention': {
        const to = sale.state === 'posting' || sale.state === 'queued' ? 'refused' : sale.state;
        if (to !== sale.state) this.store.sales.transition(sale.id, sale.state, 'refused', { error_json: errorJson(outcome.error), updated_at: at });
        this.log({ ...base, kind: outcome.type === 'refused' ? 'redeem.refused' : 'redeem.attention', amountCents: sale.discount_cents, outcome: outcome.error.code, detail: { attempt: row.attempts, message: outcome.error.message } });
        break;
      }
      case 'retry': {
        if (sale.state === 'posting') this.store.sales.transition(sale.id, 'posting', 'queued', { error_json: errorJson(outcome.error), updated_at: at });
        this.log({ ...base, kind: 'redeem.attempt', outcome: outcome.error.code, detail: { attempt: row.attempts, message: outcome.error.message, nextAttemptAt: new Date(outcome.nextAttemptAt).toISOString(), needsCheck: outcome.needsCheck } });
        break;
      }
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
    const v: SaleView = {
      id: sale.id,
      state: sale.state,
      createdAt: sale.created_at,
      basket,
      paymentAllowed: sale.state === 'posted' || (sale.state === 'queued' && sale.offline_accepted === 1),
    };
    if (session && !CLOSED_STATES.has(sale.state)) {
      const balance = session.account.balanceMilli ?? 0;
      v.member = this.memberView(sale, session);
      v.terms = session.terms;
      v.maxPointsMilli = maxRedeemable(basket, balance, session.terms);
    } else if (sale.member_masked) {
      v.member = {
        identifierKind: 'card',
        masked: sale.member_masked,
        balanceMilli: sale.balance_after_milli ?? sale.balance_before_milli ?? 0,
        balanceValue: money(0, sale.currency),
        fetchedAt: sale.updated_at,
        lastKnown: true,
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
    }
    if (sale.backend_reference || sale.posted_at) {
      v.result = { backendReference: sale.backend_reference ?? undefined, balanceAfterMilli: sale.balance_after_milli ?? undefined, postedAt: sale.posted_at ?? undefined };
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
      balanceValue: money(discountCents(Math.max(0, balance), s.terms.rate), sale.currency),
      fetchedAt: s.fetchedAt,
      lastKnown: s.lastKnown,
      messages: s.account.messages,
    };
  }

  private requireMember(sale: SaleRow): MemberSession {
    const s = this.members.get(sale.id);
    if (!s) throw new PosError('SALE_WRONG_STATE', 'Scan the member card again (the terminal restarted since).');
    return s;
  }

  private log(e: { kind: string; outcome: string; saleId?: string | null; pointsMilli?: number | null; amountCents?: number | null; memberMasked?: string | null; memberHash?: string | null; detail?: Record<string, unknown> }): void {
    this.store.journal.append({
      at: this.iso(),
      terminalId: this.config.terminalId,
      actor: this.actor,
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

  private emitSale(saleId: string): void {
    this.emit({ type: 'sale', sale: this.view(saleId) });
  }
}

/** Time-ordered, unguessable sale ids: sort by creation, safe in URLs and references. */
export function newSaleId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}
