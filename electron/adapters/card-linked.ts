/**
 * The card-linked offers adapter: Pentadata's "Pay with Points"
 * (the platform client is ./pentadata.ts). This
 * backend works differently from the other four: the customer's payment card
 * is linked to an offer, Pentadata applies it when that card pays, and tells
 * the terminal with an alert (electron/service/offers/). Nothing is redeemed
 * at the counter, and the counter sees no points balance.
 *
 * So the adapter satisfies LoyaltyAdapter honestly:
 *  - capabilities: redemption 'card-linked', no identifiers, reversal 'none'
 *    (a refund is the card network's business and arrives as an alert),
 *    retrySafety 'deduplicated-reference' (alerts and the catch-up are stored
 *    once per transaction id);
 *  - probe() signs in; lookupMember, getTerms, redeem and findRedemption throw
 *    NOT_SUPPORTED with words a cashier understands (and notApplied: nothing
 *    was sent).
 *
 * The card-linked operations are the Pentadata client, reached through
 * `adapter.cardLinked`, and the alert check's settings through `adapter.alerts`.
 */
import type { BackendInfo, RedemptionTerms } from '../../shared/domain.js';
import { PosError } from '../../shared/errors.js';
import { CARDLINKED } from '../../shared/programs/cardlinked.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import { integer, optional, required, transport, type AdapterOptions } from './connection.js';
import { createPentadataClient, type AlertVerification, type HmacContent, type PentadataClient } from './pentadata.js';
import type { LoyaltyAdapter, MemberAccount, RedeemReceipt } from './types.js';

export const CARD_LINKED_INFO: BackendInfo = { id: CARDLINKED.id, name: CARDLINKED.name, capabilities: { ...CARDLINKED.capabilities, identifiers: [] } };

export interface CardLinkedAdapter extends LoyaltyAdapter {
  readonly cardLinked: PentadataClient;
  /** How an alert is checked: the Pentadata-Key and, where configured, an HMAC. */
  readonly alerts: AlertVerification;
}

export function isCardLinkedAdapter(a: LoyaltyAdapter): a is CardLinkedAdapter {
  return typeof (a as Partial<CardLinkedAdapter>).cardLinked === 'object' && (a as Partial<CardLinkedAdapter>).cardLinked !== null;
}

const NO_COUNTER_REDEMPTION =
  'Card-linked offers are not redeemed at the counter: the customer pays with their enrolled card and Pentadata applies the offer. Enrol the card in an offer instead.';

export function createCardLinkedAdapter(client: PentadataClient, alerts: AlertVerification): CardLinkedAdapter {
  if (alerts.alertToken.trim() === '') throw new PosError('BACKEND_AUTH', 'The Pentadata alert token (Pentadata-Key) is missing in settings.');
  return {
    info: CARD_LINKED_INFO,
    cardLinked: client,
    alerts,

    async probe() {
      await client.probe();
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

// ---- Built from the program's connection fields (shared/programs/cardlinked.ts): live and training alike.

export function cardLinkedFromConnection(values: ConnectionValues, opts: AdapterOptions = {}): CardLinkedAdapter {
  const client = createPentadataClient({
    baseUrl: required(values, 'baseUrl'),
    email: required(values, 'email'),
    apiKey: required(values, 'apiKey'),
    merchantId: integer(values, 'merchantId'),
    ...transport(values, opts),
  });
  const hmacSecret = optional(values, 'hmacSecret');
  const content = optional(values, 'hmacContent') ?? 'body';
  const encoding = optional(values, 'hmacEncoding') ?? 'hex';
  if (content !== 'body' && content !== 'url+body')
    throw new PosError('INVALID_INPUT', 'HMAC content must be "body" or "url+body".', { details: { field: 'hmacContent' } });
  if (encoding !== 'hex' && encoding !== 'base64')
    throw new PosError('INVALID_INPUT', 'HMAC encoding must be "hex" or "base64".', { details: { field: 'hmacEncoding' } });
  return createCardLinkedAdapter(client, {
    alertToken: required(values, 'alertToken'),
    hmac: hmacSecret
      ? { secret: hmacSecret, header: optional(values, 'hmacHeader') ?? 'X-Pentadata-Signature', content: content as HmacContent, encoding }
      : null,
  });
}
