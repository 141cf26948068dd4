/**
 * Card-linked offers adapter ("Pay with Points", Fidel-style; PROVIDERS.md
 * section 5). This backend works differently from the other four: the
 * customer's payment card is linked to an offer, and the platform redeems
 * the offer when that card pays, then tells the terminal by a signed webhook
 * (electron/service/offers/). Nothing is redeemed at the counter, and the
 * counter sees no points balance.
 *
 * So the adapter satisfies LoyaltyAdapter honestly:
 *  - capabilities: redemption 'card-linked', balanceAtCounter false, no
 *    identifiers (no member is looked up at the counter), reversal 'none'
 *    (a refund is the card network's business and arrives as a notice),
 *    retrySafety 'deduplicated-reference' (the receiver stores each notice
 *    once by its transaction id, so the platform's redeliveries are harmless);
 *  - probe() works; lookupMember, getTerms, redeem and findRedemption throw
 *    NOT_SUPPORTED with words a cashier understands (and notApplied: nothing
 *    was sent).
 *
 * The card-linked operations (offers, customers, cards, card-offer links,
 * webhook registrations) are the extension interface below, reached through
 * `adapter.cardLinked` (isCardLinkedAdapter tells whether an adapter has it).
 *
 * Card numbers: createCard() puts the number in the request body and nowhere
 * else (not in a URL, a message, a log, a field of this module); it returns
 * id, scheme and last four only. Platform messages are scrubbed of digit runs
 * before they reach an error. Every field name lives in ./card-linked-wire.ts.
 */
import type { BackendInfo, RedemptionTerms } from '../../shared/domain.js';
import type { CardOfferLinkView, EnrolledCardView, OfferView } from '../../shared/contract/offers.js';
import { PosError } from '../../shared/errors.js';
import {
  CL_KEY_HEADER,
  clPaths,
  firstItem,
  items,
  mapCardLinkedError,
  parseCard,
  parseCardOffer,
  parseOffer,
  parsePerson,
  parseWebhook,
  type ClOperation,
  type ClPerson,
  type ClWebhook,
  type ClWebhookEvent,
} from './card-linked-wire.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import { optional, required, transport, type AdapterOptions } from './connection.js';
import { httpJson, type HttpJson, type HttpJsonResponse, type HttpMethod } from './http.js';
import type { LoyaltyAdapter, MemberAccount, RedeemReceipt } from './types.js';

export interface CardLinkedConfig {
  /** API base including the version, e.g. https://api.example-platform.com/v1 */
  baseUrl: string;
  /** Secret key (sk_test_... in test mode), sent as the Fidel-Key header. */
  secretKey: string;
  /** The program cards are enrolled in. */
  programId: string;
  /** Currency of the store's offers, when an offer does not name one. */
  currency: string;
  /** ISO 3166 alpha-3 country the cards are issued in (the platform asks for it). */
  countryCode: string;
  timeoutMs?: number;
  /** The connection's HTTP client (its proxy, CA, Chromium's stack in Electron); default: httpJson. */
  http?: HttpJson;
}

export const CARD_LINKED_INFO: BackendInfo = {
  id: 'cardlinked',
  name: 'Card-linked offers',
  capabilities: {
    redemption: 'card-linked',
    identifiers: [],
    pointsDecimals: 0,
    validationCode: false,
    reversal: 'none',
    retrySafety: 'deduplicated-reference',
    balanceAtCounter: false,
  },
};

/** The card details the customer entered: passed straight through, never kept. */
export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
}

export interface CardLinkedOperations {
  /** Offers of the account; `status` filters on the platform ('live' = running today). */
  listOffers(status?: 'live' | 'upcoming' | 'expired'): Promise<OfferView[]>;
  findCustomer(email: string): Promise<ClPerson | null>;
  getCustomer(customerId: string): Promise<ClPerson>;
  /** Creates the customer; if the platform already has this e-mail, returns that customer (created: false). */
  createCustomer(name: string, email: string): Promise<{ customer: ClPerson; created: boolean }>;
  /** Creates the card from its details (the customer accepted the terms): id, scheme and last four come back. */
  createCard(customerId: string, card: CardDetails): Promise<EnrolledCardView>;
  listCards(customerId: string): Promise<EnrolledCardView[]>;
  listCardOffers(cardId: string): Promise<CardOfferLinkView[]>;
  /** Links the card to the offer; an existing link is returned as it is (linking twice is harmless). */
  linkCard(cardId: string, offerId: string): Promise<CardOfferLinkView>;
  unlinkCard(cardId: string, offerId: string): Promise<void>;
  listWebhooks(): Promise<ClWebhook[]>;
  /** Registers `url` for `event`; the answer carries the platform-issued signing secret. */
  registerWebhook(event: ClWebhookEvent, url: string): Promise<ClWebhook & { secretKey: string }>;
  deleteWebhook(id: string): Promise<void>;
}

export interface CardLinkedAdapter extends LoyaltyAdapter {
  readonly cardLinked: CardLinkedOperations;
}

export function isCardLinkedAdapter(a: LoyaltyAdapter): a is CardLinkedAdapter {
  return typeof (a as Partial<CardLinkedAdapter>).cardLinked === 'object' && (a as Partial<CardLinkedAdapter>).cardLinked !== null;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const NO_COUNTER_REDEMPTION =
  'Card-linked offers are not redeemed at the counter: the customer pays with their enrolled card and the platform applies the offer. Enrol the card in an offer instead.';

export function createCardLinkedAdapter(config: CardLinkedConfig): CardLinkedAdapter {
  const http = config.http ?? httpJson;
  if (!/^[A-Z]{3}$/.test(config.currency)) throw new PosError('INVALID_INPUT', `Not an ISO currency code: ${config.currency}`);
  if (!/^[A-Z]{3}$/.test(config.countryCode)) throw new PosError('INVALID_INPUT', `Not an ISO 3166 alpha-3 country code: ${config.countryCode}`);
  if (config.secretKey.trim() === '') throw new PosError('BACKEND_AUTH', 'The card-linked platform key is missing in settings.');
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call(method: HttpMethod, path: string, op: ClOperation, body?: unknown): Promise<HttpJsonResponse> {
    const res = await http({ method, url: baseUrl + path, headers: { [CL_KEY_HEADER]: config.secretKey }, body, timeoutMs });
    if (res.status >= 200 && res.status < 300) return res;
    throw mapCardLinkedError(res.status, res.body, op);
  }

  /** A call whose refusal with this platform code is an answer, not an error. */
  async function callAllowing(method: HttpMethod, path: string, op: ClOperation, allowCode: string, body?: unknown): Promise<HttpJsonResponse | 'refused'> {
    try {
      return await call(method, path, op, body);
    } catch (e) {
      if (e instanceof PosError && e.details?.backendCode === allowCode) return 'refused';
      throw e;
    }
  }

  const ops: CardLinkedOperations = {
    async listOffers(status) {
      const res = await call('GET', clPaths.offers(status), 'offers');
      return items(res.body).map((o) => parseOffer(o, config.currency));
    },

    async findCustomer(email) {
      const res = await call('GET', clPaths.personByEmail(email), 'customer');
      const list = items(res.body).map(parsePerson);
      return list.find((p) => p.email.toLowerCase() === email.toLowerCase()) ?? null;
    },

    async getCustomer(customerId) {
      return parsePerson(firstItem((await call('GET', clPaths.person(customerId), 'customer')).body));
    },

    async createCustomer(name, email) {
      const res = await callAllowing('POST', clPaths.persons, 'customer', 'item-exists', { name, email });
      if (res !== 'refused') return { customer: parsePerson(firstItem(res.body)), created: true };
      const existing = await ops.findCustomer(email);
      if (!existing) throw new PosError('BACKEND_BAD_RESPONSE', 'The platform says this customer exists but cannot find them.');
      return { customer: existing, created: false };
    },

    async createCard(customerId, card) {
      // The one place a card number leaves the terminal: the body of this request.
      const res = await call('POST', clPaths.programCards(config.programId), 'card', {
        number: card.number,
        expMonth: card.expMonth,
        expYear: card.expYear,
        countryCode: config.countryCode,
        termsOfUse: true,
        personId: customerId,
      });
      const { id, scheme, last4 } = parseCard(firstItem(res.body));
      return { id, scheme, last4 };
    },

    async listCards(customerId) {
      const res = await call('GET', clPaths.personCards(customerId), 'customer');
      return items(res.body).map((c) => {
        const { id, scheme, last4 } = parseCard(c);
        return { id, scheme, last4 };
      });
    },

    async listCardOffers(cardId) {
      const res = await call('GET', clPaths.cardOffers(cardId), 'link');
      return items(res.body).map((l) => strip(parseCardOffer(l)));
    },

    async linkCard(cardId, offerId) {
      const res = await callAllowing('POST', clPaths.cardOffers(cardId), 'link', 'item-exists', { offerId });
      if (res !== 'refused') return strip(parseCardOffer(firstItem(res.body)));
      const existing = (await ops.listCardOffers(cardId)).find((l) => l.offerId === offerId);
      if (!existing) throw new PosError('BACKEND_BAD_RESPONSE', 'The platform says the card is linked but does not list the link.');
      return existing;
    },

    async unlinkCard(cardId, offerId) {
      await call('DELETE', clPaths.cardOffer(cardId, offerId), 'unlink');
    },

    async listWebhooks() {
      return items((await call('GET', clPaths.webhooks, 'webhook')).body).map(parseWebhook);
    },

    async registerWebhook(event, url) {
      const hook = parseWebhook(firstItem((await call('POST', clPaths.webhooks, 'webhook', { event, url })).body));
      if (!hook.secretKey) throw new PosError('BACKEND_BAD_RESPONSE', 'The platform registered the webhook but sent no signing secret.');
      return { ...hook, secretKey: hook.secretKey };
    },

    async deleteWebhook(id) {
      await call('DELETE', clPaths.webhook(id), 'webhook');
    },
  };

  return {
    info: CARD_LINKED_INFO,
    cardLinked: ops,

    async probe() {
      await call('GET', clPaths.brands, 'probe');
    },

    async lookupMember(): Promise<MemberAccount> {
      throw new PosError(
        'NOT_SUPPORTED',
        'Card-linked offers have no member to look up at the counter: the enrolled payment card is recognised when it pays.',
        {
          details: { notApplied: true },
        },
      );
    },

    async getTerms(): Promise<RedemptionTerms> {
      throw new PosError('NOT_SUPPORTED', NO_COUNTER_REDEMPTION, { details: { notApplied: true } });
    },

    async redeem(): Promise<RedeemReceipt> {
      throw new PosError('NOT_SUPPORTED', NO_COUNTER_REDEMPTION, { details: { notApplied: true } });
    },

    async findRedemption(): Promise<RedeemReceipt | null> {
      // Nothing is ever sent by redeem(), so nothing can have taken effect.
      throw new PosError('NOT_SUPPORTED', NO_COUNTER_REDEMPTION, { details: { notApplied: true } });
    },
  };
}

function strip(l: CardOfferLinkView & { cardId: string }): CardOfferLinkView {
  return { linkId: l.linkId, offerId: l.offerId, offerName: l.offerName, linkedAt: l.linkedAt };
}

// ---- Built from the program's connection fields (shared/programs/cardlinked.ts): live and training alike.

export function cardLinkedFromConnection(values: ConnectionValues, opts: AdapterOptions = {}): CardLinkedAdapter {
  return createCardLinkedAdapter({
    baseUrl: required(values, 'baseUrl'),
    secretKey: required(values, 'secretKey'),
    programId: required(values, 'programId'),
    currency: optional(values, 'currency') ?? 'EUR',
    countryCode: optional(values, 'countryCode') ?? 'BEL',
    ...transport(values, opts),
  });
}
