/**
 * The card-linked offers area of the terminal service (shared/contract/offers.ts),
 * on Pentadata's "Pay with Points" (its published platform API): the store's
 * offers, enrolment at the counter, and the alerts Pentadata sends when an
 * enrolled card pays. Plain Node, like the rest of the service.
 *
 * Card details: `enrolCard` hands the number and security code to the
 * Pentadata client, which sends them in the one request that creates the
 * card; this class keeps no copy, logs none and returns id, scheme and last
 * four only. What Pentadata does not list back (offers, persons by e-mail, a
 * card's offers) the terminal remembers itself (enrolment-store.ts).
 *
 * Alerts: the receiver (receiver.ts) is off by default; its switch is a
 * stored setting, so it comes back on after a restart, and turning it on or
 * off is a manager action. When it listens, every enrolled card's alerts are
 * registered for its public URL (POST /cards/{id}/alerts; a card enrolled
 * later is registered at enrolment). Pentadata neither retries nor waits for
 * an alert, so the catch-up reads every enrolled card's transactions at
 * start, every `catchUpIntervalMs`, and when asked, and stores what no alert
 * brought; alerts and the catch-up share one store, deduplicated on the
 * transaction id.
 */
import type { MethodInput } from '../../../shared/contract.js';
import {
  offersMethods,
  type CardOfferLinkView,
  type CatchUpView,
  type EnrolledCardView,
  type EnrolmentView,
  type OfferReceiverStatus,
  type OfferView,
  type OffersMethod,
  type OffersResults,
} from '../../../shared/contract/offers.js';
import { PosError, toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import { catchUp, type AlertVerification, type PentadataClient, type PentadataTransaction } from '../../adapters/pentadata.js';
import type { Store } from '../../store/store.js';
import { bindHandlers, type HandlersFor } from '../../transport/dispatch.js';
import { noticeFromTransaction } from './alert-notice.js';
import { EnrolmentStore, personView, schemeOf } from './enrolment-store.js';
import { maskedCard, NoticeStore } from './notice-store.js';
import { DEFAULT_RECEIVER_CONFIG, startReceiver, type ReceiverConfig, type RunningReceiver } from './receiver.js';
import { logger } from '../../log/logger.js';

const log = logger('offers');

export const RECEIVER_ENABLED_SETTING = 'offers.receiver.enabled';
/** How often the catch-up runs by default: Pentadata does not repeat a lost alert. */
export const DEFAULT_CATCH_UP_INTERVAL_MS = 5 * 60_000;

/** The card-linked platform as the service uses it: the Pentadata client and how its alerts are checked. */
export interface CardLinkedPlatform {
  client: PentadataClient;
  alerts: AlertVerification;
}

export interface OffersServiceOptions {
  terminalId: string;
  /** The store's currency (day totals). */
  currency: string;
  /** Where and how the receiver listens; defaults in receiver.ts. */
  receiver?: Partial<ReceiverConfig>;
  /** Catch-up period (ms); 0 = only at start and when asked. */
  catchUpIntervalMs?: number;
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
  readonly enrolments: EnrolmentStore;
  private receiver: RunningReceiver | null = null;
  private receiverError: ErrorInfo | null = null;
  private readonly config: ReceiverConfig;
  private readonly clock: () => number;
  /** Serialises switching the receiver on and off. */
  private switching: Promise<unknown> = Promise.resolve();
  private catchingUp: Promise<CatchUpView> | null = null;
  private lastCatchUp: CatchUpView | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Unreadable bodies already logged by this process (the catch-up lists them again each run). */
  private loggedUnreadable = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly platform: CardLinkedPlatform | null,
    private readonly opts: OffersServiceOptions,
  ) {
    this.notices = new NoticeStore(store, opts.terminalId);
    this.enrolments = new EnrolmentStore(store);
    this.config = { ...DEFAULT_RECEIVER_CONFIG, ...stripUndefined(opts.receiver ?? {}) };
    this.clock = opts.clock ?? Date.now;
  }

  /** Brings the receiver back if it was on before the restart, catches up, and starts the periodic catch-up. */
  async start(): Promise<void> {
    if (this.store.getSetting(RECEIVER_ENABLED_SETTING) === '1') await this.serialised(() => this.openReceiver());
    if (!this.platform) return;
    await this.runCatchUp().catch((e: unknown) => log.warn('catch-up at start failed', e));
    const every = this.opts.catchUpIntervalMs ?? DEFAULT_CATCH_UP_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => void this.runCatchUp().catch((e: unknown) => log.warn('periodic catch-up failed', e)), every);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.catchingUp?.catch(() => undefined);
    await this.serialised(async () => {
      await this.receiver?.close();
      this.receiver = null;
    });
  }

  handlers(): HandlersFor<OffersMethod> {
    return bindHandlers(this, Object.keys(offersMethods) as OffersMethod[]);
  }

  // ---- offers, customers, cards ------------------------------------------

  async listOffers(): Result<'listOffers'> {
    this.requirePlatform();
    return { offers: this.enrolments.offers() };
  }

  async createOffer(input: MethodInput<'createOffer'>): Result<'createOffer'> {
    const { client } = this.requirePlatform();
    await this.opts.authorizeManager?.('offers.create', input.approval);
    const description = input.description ?? [];
    const { offerId } = await client.createOffer(input.name, description);
    const discount = input.discount ? { basisPoints: input.discount.basisPoints, maxCents: input.discount.maxCents ?? null } : null;
    const offer: OfferView = { id: offerId, name: input.name, description, createdAt: this.now(), discount };
    this.enrolments.addOffer(offer);
    this.log({ kind: 'offer.create', outcome: 'ok', detail: { offerId, name: input.name, discount } });
    return { offer };
  }

  async findOfferCustomer(input: MethodInput<'findOfferCustomer'>): Result<'findOfferCustomer'> {
    this.requirePlatform();
    const p = this.enrolments.personByEmail(input.email);
    return { customer: p ? personView(p) : null };
  }

  async createOfferCustomer(input: MethodInput<'createOfferCustomer'>): Result<'createOfferCustomer'> {
    const { client } = this.requirePlatform();
    const known = this.enrolments.personByEmail(input.email);
    if (known) return { customer: personView(known), created: false };
    const { personId } = await client.createPerson(input.firstName, input.lastName, input.email);
    const p = this.enrolments.addPerson({ id: personId, firstName: input.firstName, lastName: input.lastName, email: input.email }, this.now());
    this.log({ kind: 'offer.customer', outcome: 'created', detail: { personId, email: p.emailMasked } });
    return { customer: personView(p), created: true };
  }

  async enrolCard(input: MethodInput<'enrolCard'>): Result<'enrolCard'> {
    const { client } = this.requirePlatform();
    const details = input.card as { number: string; cvv: string };
    let card: EnrolledCardView;
    try {
      const person = this.enrolments.person(input.customerId);
      if (!person)
        throw new PosError('INVALID_INPUT', 'This customer was not enrolled at this terminal: find or create them first.', { details: { notApplied: true } });
      if (!this.enrolments.offerName(input.offerId))
        throw new PosError('INVALID_INPUT', "That offer is not one of the store's offers: choose it again.", { details: { notApplied: true } });
      const scheme = schemeOf(input.card.number);
      const r = await client.enrolCard(person.id, {
        pan: input.card.number,
        cvv: input.card.cvv,
        firstName: person.firstName,
        lastName: person.lastName,
        expMonth: input.card.expMonth,
        expYear: input.card.expYear,
        postalCode: input.card.postalCode,
      });
      card = { id: r.cardId, scheme, last4: r.lastFour };
      this.enrolments.addCard(person.id, card, this.now());
    } catch (e) {
      this.log({ kind: 'offer.enrol', outcome: codeOf(e), detail: { offerId: input.offerId, step: 'card' } });
      throw e;
    } finally {
      // Drop this call's references to the card details as soon as Pentadata has them.
      details.number = '';
      details.cvv = '';
    }
    let link: CardOfferLinkView;
    try {
      link = await this.link(card.id, input.offerId);
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
    await this.registerAlerts([card.id]);
    return { card, link };
  }

  async linkCardToOffer(input: MethodInput<'linkCardToOffer'>): Result<'linkCardToOffer'> {
    this.requirePlatform();
    if (!this.enrolments.offerName(input.offerId))
      throw new PosError('INVALID_INPUT', "That offer is not one of the store's offers: choose it again.", { details: { notApplied: true } });
    const link = await this.link(input.cardId, input.offerId);
    this.log({ kind: 'offer.link', outcome: 'ok', cardId: input.cardId, detail: { offerId: link.offerId, offerName: link.offerName, linkId: link.linkId } });
    return { link };
  }

  async listEnrolments(input: MethodInput<'listEnrolments'>): Result<'listEnrolments'> {
    const { client } = this.requirePlatform();
    // Pentadata's own list of the person's cards; the scheme and the links are what the terminal recorded.
    const cards = await client.listCards(input.customerId);
    const enrolments: EnrolmentView[] = cards.map((c) => {
      const known = this.enrolments.card(c.cardId);
      return { card: { id: c.cardId, scheme: known?.scheme ?? 'card', last4: c.lastFour }, offers: this.enrolments.links(c.cardId) };
    });
    return { enrolments };
  }

  private async link(cardId: string, offerId: string): Promise<CardOfferLinkView> {
    const { cardOfferId } = await this.requirePlatform().client.linkOffer(cardId, offerId);
    const link: CardOfferLinkView = { linkId: cardOfferId, offerId, offerName: this.enrolments.offerName(offerId), linkedAt: this.now() };
    this.enrolments.addLink(cardId, link);
    return link;
  }

  // ---- notices ----------------------------------------------------------

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

  async catchUpOfferNotices(): Result<'catchUpOfferNotices'> {
    this.requirePlatform();
    return this.runCatchUp();
  }

  /**
   * Reads every enrolled card's transactions and stores the ones not here yet.
   * One run at a time: a second caller shares the running one.
   */
  runCatchUp(): Promise<CatchUpView> {
    this.catchingUp ??= this.catchUpOnce().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private async catchUpOnce(): Promise<CatchUpView> {
    const { client } = this.requirePlatform();
    const cards = this.enrolments.cardIds();
    const run = await catchUp(client, cards, (id) => this.notices.has(id));
    let recovered = 0;
    let unreadable = run.unreadable.length;
    for (const t of run.unreadable) this.logUnreadable(t, 'catch-up');
    for (const t of run.fresh) {
      const outcome = this.storeTransaction(t, 'catch-up');
      if (outcome === 'stored') recovered++;
      if (outcome === 'unreadable') unreadable++;
    }
    const view: CatchUpView = { at: this.now(), cards: cards.length, recovered, unreadable, failedCards: run.failedCards.length };
    this.lastCatchUp = view;
    // A run that found nothing new writes nothing: the log is not a heartbeat.
    if (recovered > 0 || run.failedCards.length > 0) {
      this.log({
        kind: 'offers.catch-up',
        outcome: run.failedCards.length > 0 ? 'partial' : 'ok',
        detail: { cards: cards.length, recovered, unreadable, failedCards: run.failedCards },
      });
    }
    return view;
  }

  /** An alert or a listed transaction into the notices (once per transaction id). */
  private storeTransaction(t: PentadataTransaction, source: 'alert' | 'catch-up'): 'stored' | 'duplicate' | 'unreadable' {
    const notice = noticeFromTransaction(t, this.enrolments, source);
    if (!notice) {
      this.logUnreadable(t, source);
      return 'unreadable';
    }
    return this.notices.record(notice, this.now()).outcome;
  }

  /** Keeps the raw body of an authentic alert or listed transaction the terminal could not read, once per process. */
  private logUnreadable(t: PentadataTransaction, source: 'alert' | 'catch-up'): void {
    if (this.loggedUnreadable.has(t.raw)) return;
    if (this.loggedUnreadable.size > 1000) this.loggedUnreadable.clear();
    this.loggedUnreadable.add(t.raw);
    this.log({ kind: 'offer.unreadable', outcome: 'not-counted', detail: { source, transactionId: t.transactionId, raw: t.raw } });
  }

  // ---- the receiver -----------------------------------------------------

  private async openReceiver(): Promise<void> {
    if (this.receiver) return;
    this.receiverError = null;
    try {
      const { alerts } = this.requirePlatform();
      this.receiver = await startReceiver(this.config, {
        verification: alerts,
        onNotice: (t) => this.storeTransaction(t, 'alert'),
        onRefused: (reason) => this.notices.countRefusal(reason, this.now()),
        report: this.opts.report ?? ((e) => log.error('alert receiver failed', e)),
      });
      this.log({ kind: 'offers.receiver', outcome: 'on', detail: { localUrl: this.receiver.localUrl, publicUrl: this.receiver.publicUrl } });
    } catch (e) {
      await this.receiver?.close();
      this.receiver = null;
      this.receiverError = listenError(e, this.config);
      this.log({ kind: 'offers.receiver', outcome: this.receiverError.code, detail: { message: this.receiverError.message } });
      return;
    }
    await this.registerAlerts(this.enrolments.cardsWithoutAlerts(this.receiver.publicUrl));
  }

  private async closeReceiver(): Promise<void> {
    if (!this.receiver) return;
    await this.receiver.close();
    this.receiver = null;
    this.receiverError = null;
    this.log({ kind: 'offers.receiver', outcome: 'off' });
  }

  /**
   * Registers the receiver's public URL for these cards' alerts. A failure is
   * logged, not thrown: the card is enrolled all the same, the catch-up
   * finds its purchases, and the next switch-on registers it again.
   */
  private async registerAlerts(cardIds: readonly string[]): Promise<void> {
    const url = this.receiver?.publicUrl ?? this.config.publicUrl;
    if (!url || !this.platform) return;
    for (const cardId of cardIds) {
      try {
        await this.platform.client.registerAlerts(cardId, url);
        this.enrolments.alertsRegistered(cardId, url);
      } catch (e) {
        this.log({ kind: 'offer.alerts', outcome: codeOf(e), cardId, detail: { url } });
      }
    }
  }

  private status(): OfferReceiverStatus {
    return {
      enabled: this.store.getSetting(RECEIVER_ENABLED_SETTING) === '1',
      listening: this.receiver !== null,
      localUrl: this.receiver?.localUrl ?? null,
      publicUrl: this.receiver?.publicUrl ?? this.config.publicUrl ?? null,
      signatureChecked: Boolean(this.platform?.alerts.hmac),
      lastNoticeAt: this.notices.lastReceivedAt(),
      lastCatchUp: this.lastCatchUp,
      error: this.receiverError,
    };
  }

  // ---- helpers ----------------------------------------------------------

  private requirePlatform(): CardLinkedPlatform {
    if (!this.platform) throw new PosError('NOT_SUPPORTED', "This store's loyalty program has no card-linked offers.", { details: { notApplied: true } });
    return this.platform;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
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
        at: this.now(),
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
    return { code: 'INTERNAL', message: `Another program already listens on ${c.host}:${c.port}: choose another port for the alert receiver.` };
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES')
    return { code: 'INTERNAL', message: `The alert receiver cannot listen on ${c.host}:${c.port} (${String(code)}).` };
  return { code: 'INTERNAL', message: 'The alert receiver could not start.' };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
