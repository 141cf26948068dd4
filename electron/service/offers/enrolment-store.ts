/**
 * What the terminal remembers of its card-linked enrolments, because
 * Pentadata lists neither the store's offers, nor a person by e-mail, nor a
 * card's offers: the offers it created (id, name, description), the persons
 * (id, first and last name, the e-mail only as a keyed hash and masked), the
 * cards (id, scheme, last four, the URL its alerts go to) and the links.
 * Never a card number, a security code or a whole e-mail address.
 */
import type { CardOfferLinkView, EnrolledCardView, OfferCustomerView, OfferView } from '../../../shared/contract/offers.js';
import type { Store } from '../../store/store.js';

export const OFFER_DISCOUNTS_SETTING = 'offers.discounts';

export type OfferDiscount = NonNullable<OfferView['discount']>;

/**
 * The discount an offer's terms give on a purchase (negative on a refund): the share in basis
 * points, rounded half up to the cent, capped at maxCents.
 */
export function expectedDiscountCents(amountCents: number, d: OfferDiscount): number {
  const raw = Math.floor((Math.abs(amountCents) * d.basisPoints + 5_000) / 10_000);
  const capped = d.maxCents === null ? raw : Math.min(raw, d.maxCents);
  return amountCents < 0 ? -capped : capped;
}

export interface StoredPerson {
  id: string;
  firstName: string;
  lastName: string;
  emailMasked: string;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

export function personView(p: StoredPerson): OfferCustomerView {
  return { id: p.id, name: `${p.firstName} ${p.lastName}`, emailMasked: p.emailMasked };
}

/** The scheme from the number's first digits (the number itself is not kept): enough to say "Visa •••• 4001". */
export function schemeOf(pan: string): string {
  if (/^4/.test(pan)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(pan)) return 'mastercard';
  if (/^3[47]/.test(pan)) return 'amex';
  if (/^(50|5[6-9]|6[0-9])/.test(pan)) return 'maestro';
  // The emulator's (and Pentadata's sandbox's) Mastercard test range starts 5555.
  if (/^5/.test(pan)) return 'mastercard';
  return 'card';
}

export class EnrolmentStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  private emailKey(email: string): string {
    return this.store.memberKey('offer-email', email.trim().toLowerCase());
  }

  addOffer(o: OfferView): void {
    this.store.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO offer_offers (offer_id, name, description, created_at) VALUES (?, ?, ?, ?)')
        .run(o.id, o.name, JSON.stringify(o.description), o.createdAt);
      const all = this.discounts();
      if (o.discount) all[o.id] = o.discount;
      else delete all[o.id];
      this.store.setSetting(OFFER_DISCOUNTS_SETTING, JSON.stringify(all));
    });
  }

  /** The discount the store set for each offer (kept in settings: Pentadata's API keeps no terms). */
  private discounts(): Record<string, OfferDiscount> {
    const raw = this.store.getSetting(OFFER_DISCOUNTS_SETTING);
    return raw ? (JSON.parse(raw) as Record<string, OfferDiscount>) : {};
  }

  offerDiscount(offerId: string | null): OfferDiscount | null {
    return offerId ? (this.discounts()[offerId] ?? null) : null;
  }

  offers(): OfferView[] {
    const rows = this.db.prepare('SELECT offer_id, name, description, created_at FROM offer_offers ORDER BY created_at DESC, rowid DESC').all() as {
      offer_id: string;
      name: string;
      description: string;
      created_at: string;
    }[];
    const discounts = this.discounts();
    return rows.map((r) => ({
      id: r.offer_id,
      name: r.name,
      description: JSON.parse(r.description) as string[],
      createdAt: r.created_at,
      discount: discounts[r.offer_id] ?? null,
    }));
  }

  offerName(offerId: string | null): string | null {
    if (!offerId) return null;
    const r = this.db.prepare('SELECT name FROM offer_offers WHERE offer_id = ?').get(offerId) as { name: string } | undefined;
    return r?.name ?? null;
  }

  personByEmail(email: string): StoredPerson | null {
    const r = this.db.prepare('SELECT person_id, first_name, last_name, email_masked FROM offer_persons WHERE email_key = ?').get(this.emailKey(email)) as
      { person_id: string; first_name: string; last_name: string; email_masked: string } | undefined;
    return r ? { id: r.person_id, firstName: r.first_name, lastName: r.last_name, emailMasked: r.email_masked } : null;
  }

  person(personId: string): StoredPerson | null {
    const r = this.db.prepare('SELECT person_id, first_name, last_name, email_masked FROM offer_persons WHERE person_id = ?').get(personId) as
      { person_id: string; first_name: string; last_name: string; email_masked: string } | undefined;
    return r ? { id: r.person_id, firstName: r.first_name, lastName: r.last_name, emailMasked: r.email_masked } : null;
  }

  addPerson(p: { id: string; firstName: string; lastName: string; email: string }, at: string): StoredPerson {
    const stored = { id: p.id, firstName: p.firstName, lastName: p.lastName, emailMasked: maskEmail(p.email) };
    this.db
      .prepare('INSERT INTO offer_persons (person_id, email_key, email_masked, first_name, last_name, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(p.id, this.emailKey(p.email), stored.emailMasked, p.firstName, p.lastName, at);
    return stored;
  }

  addCard(personId: string, card: EnrolledCardView, at: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO offer_cards (card_id, person_id, scheme, last4, enrolled_at) VALUES (?, ?, ?, ?, ?)')
      .run(card.id, personId, card.scheme, card.last4, at);
  }

  card(cardId: string | null): (EnrolledCardView & { alertsUrl: string | null }) | null {
    if (!cardId) return null;
    const r = this.db.prepare('SELECT card_id, scheme, last4, alerts_url FROM offer_cards WHERE card_id = ?').get(cardId) as
      { card_id: string; scheme: string; last4: string; alerts_url: string | null } | undefined;
    return r ? { id: r.card_id, scheme: r.scheme, last4: r.last4, alertsUrl: r.alerts_url } : null;
  }

  /** Every card enrolled here: the catch-up reads each one's transactions. */
  cardIds(): string[] {
    return (this.db.prepare('SELECT card_id FROM offer_cards ORDER BY enrolled_at').all() as { card_id: string }[]).map((r) => r.card_id);
  }

  /** Cards whose alerts are not registered for `url` yet. */
  cardsWithoutAlerts(url: string): string[] {
    return (this.db.prepare('SELECT card_id FROM offer_cards WHERE alerts_url IS NULL OR alerts_url != ?').all(url) as { card_id: string }[]).map(
      (r) => r.card_id,
    );
  }

  alertsRegistered(cardId: string, url: string): void {
    this.db.prepare('UPDATE offer_cards SET alerts_url = ? WHERE card_id = ?').run(url, cardId);
  }

  addLink(cardId: string, link: CardOfferLinkView): void {
    this.db
      .prepare('INSERT OR REPLACE INTO offer_links (card_id, offer_id, link_id, linked_at) VALUES (?, ?, ?, ?)')
      .run(cardId, link.offerId, link.linkId, link.linkedAt);
  }

  links(cardId: string): CardOfferLinkView[] {
    const rows = this.db
      .prepare(
        'SELECT l.offer_id, l.link_id, l.linked_at, o.name FROM offer_links l LEFT JOIN offer_offers o ON o.offer_id = l.offer_id WHERE l.card_id = ? ORDER BY l.linked_at',
      )
      .all(cardId) as { offer_id: string; link_id: string; linked_at: string; name: string | null }[];
    return rows.map((r) => ({ linkId: r.link_id, offerId: r.offer_id, offerName: r.name, linkedAt: r.linked_at }));
  }
}
