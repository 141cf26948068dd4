/**
 * The terminal service: the checkout's contract methods (shared/contract.ts),
 * in plain Node (no `electron` import), so it runs the same under Electron,
 * in tests and behind the web host. Inputs arrive already validated by the
 * transport. This class wires the parts together; the rules live in the
 * modules beside it:
 *
 *  - member-session.ts  identifying the member (online, or last known)
 *  - flows/             per capability: points, rewards, validation codes
 *  - redemption.ts      confirm: the local commit, then the outbox sends
 *  - offline.ts         the offline policy at the counter
 *  - sale-commands.ts   start, basket, pay, cancel, void, refund
 *  - compensation.ts    giving points back
 *  - in-doubt.ts        a manager's "it was applied" / "send again"
 *  - settlement.ts      what an outbox outcome means for the sale (pure)
 *  - race.ts            two tills, one member: a raced, undone redemption goes again
 *  - sale-view.ts       the sale as the screens see it (pure)
 *
 * The sale moves along shared/sale-state.ts's edges. A confirmed redemption
 * is committed locally (sale + outbox row + log entry, one transaction)
 * before anything is sent; the outbox worker posts it and settles the sale.
 */
import type { MethodInput, MethodResult, TerminalEvent } from '../../../shared/contract.js';
import { checkoutMethods } from '../../../shared/contract/checkout.js';
import type { SaleView, TerminalStatus } from '../../../shared/domain.js';
import type { LoyaltyAdapter } from '../../adapters/types.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { Store } from '../../store/store.js';
import { bindHandlers, type HandlersFor } from '../../transport/dispatch.js';
import { Connectivity } from '../connectivity.js';
import { OutboxWorker, type AttemptOutcome } from '../outbox-worker.js';
import { enqueueCompensation } from './compensation.js';
import { CheckoutContext } from './context.js';
import { quotePoints } from './flows/points.js';
import { chooseReward, listRewards } from './flows/rewards.js';
import { requestValidationCode } from './flows/validation-code.js';
import { resolveInDoubt } from './in-doubt.js';
import { identifyMember, rememberBalanceAfter } from './member-session.js';
import { acceptOffline } from './offline.js';
import { commitRedemption, confirmRedemption, retryRedemption } from './redemption.js';
import { cancelSale, markPaid, refundSale, setBasket, startSale, voidSale } from './sale-commands.js';
import { saleView } from './sale-view.js';
import { queueRaceResend, resendsAfterRace } from './race.js';
import { settle } from './settlement.js';
import type { ManagerApprovals, TerminalConfig } from './types.js';

export type { ManagerApprovals, TerminalConfig } from './types.js';

type CheckoutMethod = keyof typeof checkoutMethods;

export class TerminalService implements HandlersFor<CheckoutMethod> {
  private readonly ctx: CheckoutContext;
  private readonly viewer: (() => { id: string; role: 'cashier' | 'manager' } | null) | null;
  private readonly listeners = new Set<(e: TerminalEvent) => void>();
  readonly connectivity: Connectivity;
  readonly worker: OutboxWorker;

  constructor(
    private readonly store: Store,
    private readonly adapter: LoyaltyAdapter,
    private readonly config: TerminalConfig,
    opts: {
      clock?: () => number;
      approvals?: ManagerApprovals;
      actor?: () => string;
      /** Who is asking, for what the log shows them (a cashier: sales and their own session only). */
      viewer?: () => { id: string; role: 'cashier' | 'manager' } | null;
      /** Random pauses before a raced redemption goes again (race.ts); tests inject one. */
      random?: () => number;
    } = {},
  ) {
    this.viewer = opts.viewer ?? null;
    const clock = opts.clock ?? Date.now;
    const ctx = (this.ctx = new CheckoutContext(store, adapter, config, clock, opts.approvals ?? null, opts.actor ?? (() => 'cashier'), opts.random));
    this.connectivity = ctx.connectivity = new Connectivity({
      probe: () => adapter.probe(),
      onChange: (online) => {
        ctx.log({ kind: online ? 'backend.online' : 'backend.offline', outcome: 'ok' });
        this.worker.setPaused(!online);
        this.emitStatus();
      },
      onSendingChange: (failing) => {
        ctx.log({ kind: failing ? 'backend.sending-fails' : 'backend.sending-works', outcome: 'ok' });
        this.emitStatus();
      },
      probeIntervalMs: config.probeIntervalMs,
      now: clock,
    });
    this.worker = ctx.worker = new OutboxWorker({
      store,
      adapter,
      concurrency: config.outboxConcurrency,
      inDoubtWindowMs: config.inDoubtWindowMs,
      now: clock,
      onAnswer: () => this.connectivity.reportAnswer(),
      onUnreachable: (err) => this.connectivity.reportFailure(err.code),
      onSendOutcome: (gotThrough) => this.connectivity.reportSendOutcome(gotThrough),
      hooks: {
        onSettled: (row, outcome) => this.applySettlement(row, outcome),
        // A void asked for while the post was in flight: if the post had not taken effect, it is never sent.
        shouldSend: (row) => row.kind !== 'redeem' || this.store.sales.get(row.sale_id).void_requested === 0,
        // Refused refunds, and refusals of redemptions the sale was already paid on, need a person.
        // A raced redemption about to be sent again (race.ts) needs nobody: it was not applied.
        refusalState: (row, error) => {
          const sale = this.store.sales.get(row.sale_id);
          if (resendsAfterRace(row, sale, error)) return 'refused';
          return row.kind === 'reverse' || sale.offline_accepted === 1 ? 'attention' : 'refused';
        },
        afterSettled: (row) => {
          this.emitSale(row.sale_id);
          this.emitStatusSoon();
        },
      },
    });
  }

  start(): void {
    this.ctx.log({ kind: 'terminal.started', outcome: 'ok', detail: { training: this.config.training, backend: this.adapter.info.id } });
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
    return this.view(startSale(this.ctx, input));
  }

  async setBasket(input: MethodInput<'setBasket'>): Promise<SaleView> {
    setBasket(this.ctx, input);
    return this.view(input.saleId);
  }

  async identifyMember(input: MethodInput<'identifyMember'>): Promise<SaleView> {
    await identifyMember(this.ctx, input);
    return this.view(input.saleId);
  }

  async quote(input: MethodInput<'quote'>): Promise<SaleView> {
    quotePoints(this.ctx, input);
    return this.view(input.saleId);
  }

  async listRewards(input: MethodInput<'listRewards'>): Promise<MethodResult<'listRewards'>> {
    return listRewards(this.ctx, input);
  }

  async chooseReward(input: MethodInput<'chooseReward'>): Promise<SaleView> {
    await chooseReward(this.ctx, input);
    return this.view(input.saleId);
  }

  async requestValidationCode(input: MethodInput<'requestValidationCode'>): Promise<SaleView> {
    await requestValidationCode(this.ctx, input);
    return this.view(input.saleId);
  }

  async confirmRedemption(input: MethodInput<'confirmRedemption'>): Promise<SaleView> {
    await confirmRedemption(this.ctx, input);
    return this.view(input.saleId);
  }

  /** The local commit alone (tests and benchmarks drive the outbox themselves). Returns the outbox row id. */
  commitRedemption(saleId: string, pointsMilli: number): number {
    return commitRedemption(this.ctx, saleId, pointsMilli);
  }

  async acceptOffline(input: MethodInput<'acceptOffline'>): Promise<SaleView> {
    acceptOffline(this.ctx, input);
    return this.view(input.saleId);
  }

  async retryRedemption(input: MethodInput<'retryRedemption'>): Promise<SaleView> {
    await retryRedemption(this.ctx, input);
    return this.view(input.saleId);
  }

  async markPaid(input: MethodInput<'markPaid'>): Promise<SaleView> {
    markPaid(this.ctx, input);
    return this.view(input.saleId);
  }

  async cancelSale(input: MethodInput<'cancelSale'>): Promise<SaleView> {
    cancelSale(this.ctx, input);
    return this.view(input.saleId);
  }

  async voidSale(input: MethodInput<'voidSale'>): Promise<SaleView> {
    voidSale(this.ctx, input);
    return this.view(input.saleId);
  }

  async refundSale(input: MethodInput<'refundSale'>): Promise<SaleView> {
    refundSale(this.ctx, input);
    return this.view(input.saleId);
  }

  async getSale(input: MethodInput<'getSale'>): Promise<SaleView> {
    return this.view(input.saleId);
  }

  async resolveInDoubt(input: MethodInput<'resolveInDoubt'>): Promise<SaleView> {
    const saleId = resolveInDoubt(this.ctx, input, (row, outcome) => this.applySettlement(row, outcome));
    this.emitStatusSoon();
    return this.view(saleId);
  }

  async listSales(input: MethodInput<'listSales'>): Promise<{ sales: SaleView[] }> {
    return { sales: this.store.sales.list(input).map((r) => this.view(r.id)) };
  }

  /**
   * The log at the counter. A manager sees everything; anyone else sees the
   * entries of sales and of their own sign-ins and sign-outs. Settings,
   * credentials, approvals, people and the like are for managers (the
   * manager's desk), and that is decided here, not by the screen.
   */
  async listLog(input: MethodInput<'listLog'>): Promise<{ entries: ReturnType<Store['journal']['list']> }> {
    const who = this.viewer?.() ?? null;
    if (this.viewer && who?.role !== 'manager') return { entries: this.store.journal.list({ ...input, visibleTo: who?.id ?? '' }) };
    return { entries: this.store.journal.list(input) };
  }

  // ---- outbox settlement --------------------------------------------------

  /** Carries out settlement.ts's decision; runs inside the transaction that stores the row's outcome. */
  private applySettlement(row: OutboxRow, outcome: AttemptOutcome): void {
    const { store } = this;
    const sale = store.sales.get(row.sale_id);
    const at = this.ctx.iso();
    const resendAfterRace = (outcome.type === 'refused' || (outcome.type === 'attention' && !outcome.inDoubt)) && resendsAfterRace(row, sale, outcome.error);
    let s = settle({ sale, row, outcome, at, resendAfterRace });
    if (s.withdrawRow !== undefined && !store.outbox.cancel(row.id, at, s.withdrawRow))
      s = settle({ sale, row, outcome, at, withdrawable: false, resendAfterRace });
    if (s.sale) {
      if (s.sale.to === sale.state) store.sales.patch(sale.id, sale.state, s.sale.patch);
      else store.sales.transition(sale.id, sale.state, s.sale.to, s.sale.patch);
    }
    for (const entry of s.log) this.ctx.log(entry);
    if (s.compensatePointsMilli !== null) enqueueCompensation(this.ctx, store.sales.get(sale.id), s.compensatePointsMilli, 'void');
    if (s.resendAfterRace) queueRaceResend(this.ctx, store.sales.get(sale.id), row);
    const session = this.ctx.members.get(sale.id);
    if (session && s.balanceAfterMilli !== undefined) session.account = { ...session.account, balanceMilli: s.balanceAfterMilli };
    if (outcome.type === 'done') rememberBalanceAfter(this.ctx, row, outcome.receipt.balanceAfterMilli);
  }

  // ---- views and events -------------------------------------------------

  status(): TerminalStatus {
    const last = this.connectivity.lastContactAt;
    return {
      training: this.config.training,
      backend: this.adapter.info,
      terminalId: this.config.terminalId,
      // The names as the manager last saved them: a new store name shows at once, not after a restart.
      terminalName: this.store.getSetting('terminal_name') ?? this.config.terminalId,
      storeName: this.store.getSetting('store_name') ?? this.config.storeName,
      currency: this.config.currency,
      online: this.connectivity.online,
      sendingFails: this.connectivity.sendingFails,
      lastContactAt: last === null ? null : new Date(last).toISOString(),
      queue: this.store.outbox.counts(),
    };
  }

  view(saleId: string): SaleView {
    return saleView(this.store.sales.get(saleId), this.store.outbox.forSale(saleId), this.ctx.members.get(saleId));
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

  /** The last status pushed (JSON): a call that changed it pushes it again. */
  private pushedStatus: string | null = null;

  private emitStatus(): void {
    const status = this.status();
    this.pushedStatus = JSON.stringify(status);
    this.emit({ type: 'status', status });
  }

  /**
   * Run after every call (runtime.ts): when the call changed the status (a
   * redemption queued or withdrawn, an attention item handled, a retry, the
   * store's or terminal's name, the program's last answer), it is pushed. The
   * screens keep the status fresh from pushes alone: they never poll it nor
   * ask for it after an action.
   */
  pushStatusIfChanged(): void {
    if (this.listeners.size === 0) return;
    if (JSON.stringify(this.status()) !== this.pushedStatus) this.emitStatus();
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
