/**
 * The card-linked offers area of the terminal service (shared/contract/offers.ts):
 * enrolment at the counter and the notices the platform sends. Plain Node,
 * like the rest of the service.
 *
 * Card numbers: `enrolCard` hands the number to the adapter, which sends it
 * in the one request that creates the card, and drops it; this class keeps
 * no copy, logs none and returns id, scheme and last four only.
 *
 * The notice receiver (receiver.ts) is off by default. Its switch is a
 * stored setting, so it comes back on after a restart; turning it on or off
 * is a manager action (the `authorizeManager` gate). In training mode, and
 * wherever `registerWebhooks` is set, switching it on registers the
 * receiver's URL with the platform for the three notice kinds and keeps the
 * signing secrets the platform issues, in memory only; otherwise the secrets
 * come from the configuration (`receiver.secrets`).
 */
import type { MethodInput } from '../../../shared/contract.js';
import {
  offersMethods,
  type CardOfferLinkView,
  type EnrolledCardView,
  type EnrolmentView,
  type OfferCustomerView,
  type OfferReceiverStatus,
  type OffersMethod,
  type OffersResults,
} from '../../../shared/contract/offers.js';
import { PosError, toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import { CL_WEBHOOK_EVENTS, type ClPerson } from '../../adapters/card-linked-wire.js';
import type { CardLinkedOperations } from '../../adapters/card-linked.js';
import type { Store } from '../../store/store.js';
import { bindHandlers, type HandlersFor } from '../../transport/dispatch.js';
import { maskedCard, NoticeStore } from './notice-store.js';
import { DEFAULT_RECEIVER_CONFIG, startReceiver, type ReceiverConfig, type RunningReceiver } from './receiver.js';
import { logger } from '../../log/logger.js';

const log = logger('offers');

export const RECEIVER_ENABLED_SETTING = 'offers.receiver.enabled';

export interface OffersServiceOptions {
  terminalId: string;
  /** The store's currency (day totals). */
  currency: string;
  /** Where and how the receiver listens; defaults in receiver.ts. */
  receiver?: Partial<ReceiverConfig> & {
    /** Signing secrets from the configuration (live). Training registers and takes the platform's. */
    secrets?: readonly string[];
  };
  /** Register the receiver's URL with the platform when it is switched on (training). */
  registerWebhooks?: boolean;
  /** Gate for manager actions; throws PosError when not allowed. Default: allowed. */
  authorizeManager?: (action: string, approval?: { managerId: string; pin: string }) => unknown;
  /** The log's actor for actions at the till. */
  actor?: () => string;
  clock?: () => number;
  /** Unexpected receiver failures (never a body or header). */
  report?: (e: unknown) => void;
}

type Result<M extends OffersMethod> = Promise<OffersResults[M]>;

export class OffersService implements HandlersFor<OffersMethod> {
  readonly notices: NoticeStore;
  private receiver: RunningReceiver | null = null;
  private receiverError: ErrorInfo | null = null;
  /** Platform-issued secrets (training), by webhook id. Memory only. */
  private registered = new Map<string, string>();
  private readonly config: ReceiverConfig;
  private readonly clock: () => number;
  /** Serialises switching the receiver on and off. */
  private switching: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly ops: CardLinkedOperations | null,
    private readonly opts: OffersServiceOptions,
  ) {
    this.notices = new NoticeStore(store, opts.terminalId);
    this.config = { ...DEFAULT_RECEIVER_CONFIG, ...stripUndefined(opts.receiver ?? {}) };
    this.clock = opts.clock ?? Date.now;
  }

  /** Brings the receiver back if it was on before the restart. */
  async start(): Promise<void> {
    if (this.store.getSetting(RECEIVER_ENABLED_SETTING) === '1') await this.serialised(() => this.openReceiver());
  }

  async stop(): Promise<void> {
    await this.serialised(async () => {
      await this.receiver?.close();
      this.receiver = null;
    });
  }

  handlers(): HandlersFor<OffersMethod> {
    return bindHandlers(this, Object.keys(offersMethods) as OffersMethod[]);
  }

  // ---- contract methods -------------------------------------------------

  async listOffers(): Result<'listOffers'> {
    const offers = await this.requireOps().listOffers('live');
    return { offers: offers.filter((o) => o.live) };
  }

  async findOfferCustomer(input: MethodInput<'findOfferCustomer'>): Result<'findOfferCustomer'> {
    const p = await this.requireOps().findCustomer(input.email);
    return { customer: p ? customerView(p) : null };
  }

  async createOfferCustomer(input: MethodInput<'createOfferCustomer'>): Result<'createOfferCustomer'> {
    const r = await this.requireOps().createCustomer(input.name, input.email);
    return { customer: customerView(r.customer), created: r.created };
  }

  async enrolCard(input: MethodInput<'enrolCard'>): Result<'enrolCard'> {
    const ops = this.requireOps();
    let card: EnrolledCardView;
    try {
      card = await ops.createCard(input.customerId, input.card);
    } catch (e) {
      this.log({ kind: 'offer.enrol', outcome: codeOf(e), detail: { offerId: input.offerId, step: 'card' } });
      throw e;
    } finally {
      // Drop this call's reference to the number as soon as the platform has it.
      (input.card as { number: string }).number = '';
    }
    let link: CardOfferLinkView;
    try {
      link = await ops.linkCard(card.id, input.offerId);
    } catch (e) {
      this.log({ kind: 'offer.enrol', outcome: codeOf(e), card, detail: { offerId: input.offerId, step: 'link' } });
      // The card exists now: say so, so the cashier can link it again without re-entering it.
      if (e instanceof PosError) {
        throw new PosError(e.code, `The card ${card.scheme} ${card.last4} was created, but linking it to the offer failed: ${e.message}`, {
          endUserMessage: e.endUserMessage,
          details: { ...(e.details ?? {}), card },
        });
      }
      throw e;
    }
    this.log({ kind: 'offer.enrol', outcome: 'ok', card, detail: { offerId: link.offerId, offerName: link.offerName, linkId: link.linkId } });
    return { card, link };
  }

  async linkCardToOffer(input: MethodInput<'linkCardToOffer'>): Result<'linkCardToOffer'> {
    const link = await this.requireOps().linkCard(input.cardId, input.offerId);
    this.log({ kind: 'offer.link', outcome: 'ok', cardId: input.cardId, detail: { offerId: link.offerId, offerName: link.offerName, linkId: link.linkId } });
    return { link };
  }

  async listEnrolments(input: MethodInput<'listEnrolments'>): Result<'listEnrolments'> {
    const ops = this.requireOps();
    const cards = await ops.listCards(input.customerId);
    const enrolments: EnrolmentView[] = [];
    for (const card of cards) enrolments.push({ card, offers: await ops.listCardOffers(card.id) });
    return { enrolments };
  }

  async unlinkCardFromOffer(input: MethodInput<'unlinkCardFromOffer'>): Result<'unlinkCardFromOffer'> {
    await this.requireOps().unlinkCard(input.cardId, input.offerId);
    this.log({ kind: 'offer.unlink', outcome: 'ok', cardId: input.cardId, detail: { offerId: input.offerId } });
    return { unlinked: true };
  }

  async listOfferNotices(input: MethodInput<'listOfferNotices'>): Result<'listOfferNotices'> {
    const range = { from: isoOrUndefined(input.from), to: isoOrUndefined(input.to) };
    const page = this.notices.list({ limit: input.limit, beforeId: input.beforeId, ...range });
    return { ...page, totals: this.notices.totals(this.opts.currency, range) };
  }

  async offerNoticeRefusals(): Result<'offerNoticeRefusals'> {
    return { refusals: this.notices.refusals() };
  }

  async offerReceiverStatus(): Result<'offerReceiverStatus'> {
    return this.status();
  }

  async setOfferReceiver(input: MethodInput<'setOfferReceiver'>): Result<'setOfferReceiver'> {
    await this.opts.authorizeManager?.('offers.receiver', input.approval);
    await this.serialised(async () => {
      this.store.setSetting(RECEIVER_ENABLED_SETTING, input.enabled ? '1' : '0');
      if (input.enabled) await this.openReceiver();
      else await this.closeReceiver();
    });
    return this.status();
  }

  // ---- the receiver -----------------------------------------------------

  private async openReceiver(): Promise<void> {
    if (this.receiver) return;
    this.receiverError = null;
    try {
      this.receiver = await startReceiver(this.config, {
        secrets: () => this.secrets(),
        onNotice: (n) => this.notices.record(n, new Date(this.clock()).toISOString()).outcome,
        onRefused: (reason) => this.notices.countRefusal(reason, new Date(this.clock()).toISOString()),
        report: this.opts.report ?? ((e) => log.error('notice receiver failed', e)),
        now: this.clock,
      });
      if (this.opts.registerWebhooks) await this.registerWebhooks(this.receiver.publicUrl);
      this.log({ kind: 'offers.receiver', outcome: 'on', detail: { localUrl: this.receiver.localUrl, publicUrl: this.receiver.publicUrl } });
    } catch (e) {
      await this.receiver?.close();
      this.receiver = null;
      this.receiverError = listenError(e, this.config);
      this.log({ kind: 'offers.receiver', outcome: this.receiverError.code, detail: { message: this.receiverError.message } });
    }
  }

  private async closeReceiver(): Promise<void> {
    if (!this.receiver) return;
    const publicUrl = this.receiver.publicUrl;
    await this.receiver.close();
    this.receiver = null;
    this.receiverError = null;
    if (this.opts.registerWebhooks) await this.unregisterWebhooks(publicUrl).catch(() => undefined);
    this.log({ kind: 'offers.receiver', outcome: 'off' });
  }

  /** Registers `url` for every notice kind, replacing earlier registrations of the same URL. */
  private async registerWebhooks(url: string): Promise<void> {
    const ops = this.requireOps();
    await this.unregisterWebhooks(url);
    for (const event of CL_WEBHOOK_EVENTS) {
      const hook = await ops.registerWebhook(event, url);
      this.registered.set(hook.id, hook.secretKey);
    }
  }

  private async unregisterWebhooks(url: string): Promise<void> {
    const ops = this.requireOps();
    for (const hook of await ops.listWebhooks()) if (hook.url === url) await ops.deleteWebhook(hook.id);
    this.registered.clear();
  }

  private secrets(): string[] {
    return [...(this.opts.receiver?.secrets ?? []), ...this.registered.values()];
  }

  private status(): OfferReceiverStatus {
    return {
      enabled: this.store.getSetting(RECEIVER_ENABLED_SETTING) === '1',
      listening: this.receiver !== null,
      localUrl: this.receiver?.localUrl ?? null,
      publicUrl: this.receiver?.publicUrl ?? this.config.publicUrl ?? null,
      toleranceSeconds: Math.round(this.config.toleranceMs / 1000),
      secrets: this.secrets().length,
      lastNoticeAt: this.notices.lastReceivedAt(),
      error: this.receiverError,
    };
  }

  // ---- helpers ----------------------------------------------------------

  private requireOps(): CardLinkedOperations {
    if (!this.ops) throw new PosError('NOT_SUPPORTED', "This store's loyalty program has no card-linked offers.");
    return this.ops;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.switching.then(fn, fn);
    this.switching = run.catch(() => undefined);
    return run;
  }

  /** One log entry; a card appears as scheme + last four (masked like member numbers) and a keyed hash of its platform id. */
  private log(e: { kind: string; outcome: string; card?: EnrolledCardView; cardId?: string; detail?: Record<string, unknown> }): void {
    const cardId = e.card?.id ?? e.cardId ?? null;
    this.store.transaction(() =>
      this.store.journal.append({
        at: new Date(this.clock()).toISOString(),
        terminalId: this.opts.terminalId,
        actor: this.opts.actor?.() ?? 'terminal',
        kind: e.kind,
        outcome: e.outcome,
        memberMasked: e.card ? maskedCard(e.card.last4) : null,
        memberHash: cardId ? this.store.memberKey('cardlinked-card', cardId) : null,
        detail: { ...(e.card ? { cardId: e.card.id, scheme: e.card.scheme, last4: e.card.last4 } : cardId ? { cardId } : {}), ...(e.detail ?? {}) },
      }),
    );
  }
}

/** The customer as the counter may show them: name, and the e-mail masked. */
function customerView(p: ClPerson): OfferCustomerView {
  return { id: p.id, name: p.name, emailMasked: maskEmail(p.email) };
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

function codeOf(e: unknown): string {
  return toErrorInfo(e).code;
}

function isoOrUndefined(s: string | undefined): string | undefined {
  return s === undefined ? undefined : new Date(Date.parse(s)).toISOString();
}

function listenError(e: unknown, c: ReceiverConfig): ErrorInfo {
  if (e instanceof PosError) return e.toInfo();
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE')
    return { code: 'INTERNAL', message: `Another program already listens on ${c.host}:${c.port}: choose another port for the notice receiver.` };
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES')
    return { code: 'INTERNAL', message: `The notice receiver cannot listen on ${c.host}:${c.port} (${String(code)}).` };
  return { code: 'INTERNAL', message: 'The notice receiver could not start.' };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'secrets')) as Partial<T>;
}
