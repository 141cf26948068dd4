/**
 * UiTPAS demo data for training mode, the tests and the README: card systems,
 * organizers (the terminal's counter is "CC De Werf" in UiTPAS Dender),
 * passholders that show every case the counter must handle, and a reward
 * catalogue that gives every redeem-status reason. Every UiTPAS number has a
 * valid Luhn check digit; every INSZ a valid mod-97 check. Fixed ids, so the
 * terminal's per-reward discount settings can name them. Nothing here is
 * secret: these values only open the local sandbox.
 */
import { withLuhnDigit } from '../../shared/member-number.js';

export interface DemoCardSystem {
  id: number;
  name: string;
  permanent: boolean;
}

export const UITPAS_CARD_SYSTEMS = {
  dender: { id: 1, name: 'UiTPAS Dender', permanent: true },
  gent: { id: 8, name: 'UiTPAS Gent', permanent: true },
} as const satisfies Record<string, DemoCardSystem>;

export interface DemoOrganizer {
  id: string;
  name: string;
  cardSystemIds: number[];
}

export const UITPAS_ORGANIZERS = {
  /** The terminal's own counter. */
  counter: { id: '0ce87cbc-9299-4528-8d35-92225dc9489f', name: 'CC De Werf (Aalst)', cardSystemIds: [1] },
  /** Another organizer: its rewards are not offered at this counter. */
  other: { id: '7a4e3a27-2d62-4b6e-9a5e-3c3f0d7a1b21', name: 'Gentse Feesten vzw', cardSystemIds: [8] },
} as const satisfies Record<string, DemoOrganizer>;

export type PassType = 'INDIVIDUAL' | 'GROUP';
export type CardStatus = 'ACTIVE' | 'BLOCKED' | 'LOST' | 'DELETED';
export type SocialTariffStatus = 'ACTIVE' | 'EXPIRED' | 'NONE';
export type MessageLevel = 'INFO' | 'WARN' | 'ERROR';

export interface DemoPassholder {
  passholderId: string;
  uitpasNumber: string;
  passType: PassType;
  firstName: string;
  postalCode: string;
  points: number;
  insz?: string;
  chipNumber?: string;
  cardStatus: CardStatus;
  /** The passholder (not the card) is blocked. */
  blocked: boolean;
  socialTariff: { status: SocialTariffStatus; endDate?: string };
  messages: Array<{ level: MessageLevel; text: string }>;
  memberships: Array<{ cardSystemId: number; status: 'ACTIVE' | 'EXPIRED' }>;
  /** What the passholder is for, in training and tests. */
  purpose: string;
}

/** An INSZ with its mod-97 check (born before 2000). */
export function inszWithCheck(body9: string): string {
  if (!/^\d{9}$/.test(body9)) throw new Error('an INSZ body is 9 digits');
  return body9 + String(97 - (Number(body9) % 97)).padStart(2, '0');
}

const DENDER_ACTIVE = [{ cardSystemId: 1, status: 'ACTIVE' as const }];

function passholder<
  T extends Omit<DemoPassholder, 'cardStatus' | 'blocked' | 'messages' | 'memberships' | 'passType' | 'socialTariff'> & Partial<DemoPassholder>,
>(p: T): DemoPassholder & T {
  return {
    passType: 'INDIVIDUAL',
    cardStatus: 'ACTIVE',
    blocked: false,
    socialTariff: { status: 'NONE' },
    messages: [],
    memberships: DENDER_ACTIVE,
    ...p,
  };
}

export const UITPAS_DEMO_PASSHOLDERS = {
  /** Everyday passholder with enough points for most rewards; also found by INSZ and chip number. */
  jan: passholder({
    passholderId: 'b34c19fc-bcf9-4d10-aeb2-6bc9efd38b68',
    uitpasNumber: '0930012345615',
    firstName: 'Jan',
    postalCode: '9300',
    points: 120,
    insz: inszWithCheck('850730123'),
    chipNumber: '04A1B2C3D4E5F6',
    purpose: 'regular passholder, 120 points; also by INSZ 85073012335 and chip 04A1B2C3D4E5F6',
  }),
  /** Social tariff, an INFO message, few points. */
  fatima: passholder({
    passholderId: '5d7f0a3e-1c2b-4e8f-9a6d-2b1c3d4e5f60',
    uitpasNumber: '0900000672312',
    firstName: 'Fatima',
    postalCode: '9320',
    points: 25,
    socialTariff: { status: 'ACTIVE', endDate: '2099-12-31T22:59:59Z' },
    messages: [{ level: 'INFO', text: 'Deze pashouder heeft recht op kansentarief.' }],
    purpose: 'social tariff ACTIVE with an INFO message; 25 points (too few for the exhibition)',
  }),
  /** A group pass (Grouppas). */
  groep: passholder({
    passholderId: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
    uitpasNumber: '1000000520006',
    passType: 'GROUP',
    firstName: 'Groep De Kadees',
    postalCode: '9300',
    points: 0,
    purpose: 'group pass, no points',
  }),
  /** Expired social tariff with the document's own WARN message. */
  lotte: passholder({
    passholderId: '2c9d8e7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f',
    uitpasNumber: withLuhnDigit('093001234570'),
    firstName: 'Lotte',
    postalCode: '9400',
    points: 40,
    socialTariff: { status: 'EXPIRED', endDate: '2025-04-30T21:59:00Z' },
    messages: [{ level: 'WARN', text: 'Je sociaal tarief is verlopen. Contacteer je UiTPAS balie.' }],
    purpose: 'social tariff EXPIRED with a WARN message',
  }),
  /** The card is blocked: lookup answers invalid-card-status, redeem-status INVALID_CARD. */
  pieter: passholder({
    passholderId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
    uitpasNumber: withLuhnDigit('093001234571'),
    firstName: 'Pieter',
    postalCode: '9300',
    points: 60,
    cardStatus: 'BLOCKED',
    purpose: 'blocked card',
  }),
  /** The passholder is blocked (the card itself is active). */
  sofie: passholder({
    passholderId: '3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
    uitpasNumber: withLuhnDigit('093001234572'),
    firstName: 'Sofie',
    postalCode: '9300',
    points: 80,
    blocked: true,
    purpose: 'blocked passholder',
  }),
  /** Membership expired: no active card system; an ERROR message. */
  wout: passholder({
    passholderId: '6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d',
    uitpasNumber: withLuhnDigit('093001234573'),
    firstName: 'Wout',
    postalCode: '9300',
    points: 30,
    memberships: [{ cardSystemId: 1, status: 'EXPIRED' }],
    messages: [{ level: 'ERROR', text: 'Je UiTPAS-lidmaatschap is verlopen. Vernieuw het aan de UiTPAS-balie.' }],
    purpose: 'no active card system membership, ERROR message',
  }),
  /** Member of UiTPAS Gent only: Dender-only rewards do not apply. */
  elif: passholder({
    passholderId: '8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a',
    uitpasNumber: withLuhnDigit('093001234574'),
    firstName: 'Elif',
    postalCode: '9000',
    points: 200,
    memberships: [{ cardSystemId: 8, status: 'ACTIVE' }],
    purpose: 'member of another card system (UiTPAS Gent)',
  }),
  /** Already received the welcome gift: PASSHOLDER_VOLUME for it. */
  noah: passholder({
    passholderId: '1e2d3c4b-5a69-4788-9aab-bccddeeff001',
    uitpasNumber: withLuhnDigit('093001234575'),
    firstName: 'Noah',
    postalCode: '9300',
    points: 15,
    purpose: 'welcome gift already redeemed (passholder volume reached)',
  }),
} as const satisfies Record<string, DemoPassholder>;

/** A valid UiTPAS number no passholder has (for "not found" flows). */
export const UITPAS_UNKNOWN_NUMBER = withLuhnDigit('093009999999');

export type RewardType = 'POINTS' | 'WELCOME';
export type RewardCategory = 'Eten en drinken' | 'Doen' | 'Gadget of item' | 'Goede doel';
export type ConstraintPeriod = 'ABSOLUTE' | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

export interface DemoReward {
  id: string;
  title: string;
  type: RewardType;
  /** Points cost; absent for welcome rewards (they cost nothing). */
  points?: number;
  organizerIds: string[];
  owningCardSystemId: number;
  allCardSystems: boolean;
  /** Used when allCardSystems is false. */
  applicableCardSystemIds: number[];
  status: 'ACTIVE' | 'INACTIVE' | 'DELETED';
  /** Absent: no overall limit. */
  maxAvailableUnits?: number;
  unitsTaken: number;
  publicationPeriod: { begin: string; end?: string };
  redeemPeriod: { begin: string; end?: string };
  redeemConstraint?: { volume: number; period: ConstraintPeriod };
  categories: RewardCategory[];
  promotionalDescription: string;
  practicalInfo?: string;
  moreInfoURL?: string;
  redeemInfo?: { text: string; link?: string; label?: string };
  /** The reward hands out a redeem code (configured per reward in the UiTPAS admin). */
  redeemCodes?: boolean;
  featured: boolean;
  createdAt: string;
}

const ALWAYS = { begin: '2024-01-01T00:00:00Z' };
const COUNTER = [UITPAS_ORGANIZERS.counter.id];

function reward(
  r: Omit<
    DemoReward,
    | 'organizerIds'
    | 'owningCardSystemId'
    | 'allCardSystems'
    | 'applicableCardSystemIds'
    | 'status'
    | 'unitsTaken'
    | 'publicationPeriod'
    | 'redeemPeriod'
    | 'featured'
    | 'createdAt'
    | 'type'
    | 'categories'
  > &
    Partial<DemoReward>,
): DemoReward {
  return {
    type: 'POINTS',
    organizerIds: COUNTER,
    owningCardSystemId: 1,
    allCardSystems: true,
    applicableCardSystemIds: [],
    status: 'ACTIVE',
    unitsTaken: 0,
    publicationPeriod: ALWAYS,
    redeemPeriod: ALWAYS,
    featured: false,
    createdAt: '2024-01-01T09:00:00Z',
    categories: ['Eten en drinken'],
    moreInfoURL: 'https://www.uitpas.be/voordelen',
    ...r,
  };
}

export const UITPAS_DEMO_REWARDS = {
  coffee: reward({
    id: 'a1f0c2d4-0001-4c5e-8f00-000000000001',
    title: 'Gratis koffie in de cafetaria',
    points: 10,
    redeemConstraint: { volume: 1, period: 'DAY' },
    promotionalDescription: 'Ruil 10 punten voor een koffie in onze cafetaria.',
    createdAt: '2024-01-02T09:00:00Z',
  }),
  ticket: reward({
    id: 'a1f0c2d4-0002-4c5e-8f00-000000000002',
    title: '€5 korting op een voorstelling',
    points: 50,
    categories: ['Doen'],
    redeemConstraint: { volume: 2, period: 'MONTH' },
    promotionalDescription: 'Ruil 50 punten voor €5 korting op een ticket.',
    redeemCodes: true,
    redeemInfo: { text: 'Toon deze code aan de kassa.', link: 'https://www.uitpas.be/voordelen', label: 'Meer info' },
    featured: true,
    createdAt: '2024-01-03T09:00:00Z',
  }),
  welcome: reward({
    id: 'a1f0c2d4-0003-4c5e-8f00-000000000003',
    title: 'Welkomstgeschenk: gratis drankje',
    type: 'WELCOME',
    redeemConstraint: { volume: 1, period: 'ABSOLUTE' },
    promotionalDescription: 'Nieuwe pashouders krijgen een drankje van het huis.',
    moreInfoURL: undefined,
    createdAt: '2024-01-04T09:00:00Z',
  }),
  exhibition: reward({
    id: 'a1f0c2d4-0004-4c5e-8f00-000000000004',
    title: 'Gratis toegang tot de tentoonstelling',
    points: 100,
    categories: ['Doen'],
    promotionalDescription: 'Ruil 100 punten voor een gratis toegangsticket.',
    createdAt: '2024-01-05T09:00:00Z',
  }),
  summerBar: reward({
    id: 'a1f0c2d4-0005-4c5e-8f00-000000000005',
    title: 'Drankje aan de zomerbar',
    points: 5,
    redeemPeriod: { begin: '2024-06-01T00:00:00Z', end: '2024-09-30T21:59:59Z' },
    promotionalDescription: 'Enkel tijdens de zomer.',
    createdAt: '2024-01-06T09:00:00Z',
  }),
  toteBag: reward({
    id: 'a1f0c2d4-0006-4c5e-8f00-000000000006',
    title: 'Draagtas van De Werf (beperkte oplage)',
    points: 15,
    categories: ['Gadget of item'],
    maxAvailableUnits: 3,
    unitsTaken: 3,
    promotionalDescription: 'Zolang de voorraad strekt.',
    createdAt: '2024-01-07T09:00:00Z',
  }),
  denderOnly: reward({
    id: 'a1f0c2d4-0007-4c5e-8f00-000000000007',
    title: '€10 korting op de Dender-daguitstap',
    points: 20,
    categories: ['Doen'],
    allCardSystems: false,
    applicableCardSystemIds: [1],
    promotionalDescription: 'Enkel voor pashouders van UiTPAS Dender.',
    createdAt: '2024-01-08T09:00:00Z',
  }),
  poster: reward({
    id: 'a1f0c2d4-0008-4c5e-8f00-000000000008',
    title: 'Gratis affiche van het seizoen',
    points: 8,
    categories: ['Gadget of item'],
    promotionalDescription: 'Geen korting aan de kassa: de affiche wordt meegegeven.',
    createdAt: '2024-01-09T09:00:00Z',
  }),
  retired: reward({
    id: 'a1f0c2d4-0009-4c5e-8f00-000000000009',
    title: 'Oude actie (stopgezet)',
    points: 30,
    status: 'INACTIVE',
    promotionalDescription: 'Niet meer beschikbaar.',
    createdAt: '2024-01-10T09:00:00Z',
  }),
  otherOrganizer: reward({
    id: 'b2e1d3c5-0001-4d6f-9a11-000000000001',
    title: 'Drankbon Gentse Feesten',
    points: 10,
    organizerIds: [UITPAS_ORGANIZERS.other.id],
    owningCardSystemId: 8,
    promotionalDescription: 'Enkel in Gent.',
    createdAt: '2024-01-11T09:00:00Z',
  }),
} as const satisfies Record<string, DemoReward>;

/** Redemptions already on record at start: Noah received the welcome gift. */
export const UITPAS_DEMO_REDEMPTIONS: ReadonlyArray<{ uitpasNumber: string; rewardId: string; redeemDate: string }> = [
  { uitpasNumber: UITPAS_DEMO_PASSHOLDERS.noah.uitpasNumber, rewardId: UITPAS_DEMO_REWARDS.welcome.id, redeemDate: '2025-03-14T10:15:00Z' },
];

/** What each reward is worth at this counter, in cents (a terminal setting: the API carries no euro value). */
export const UITPAS_DEMO_DISCOUNTS: Record<string, number> = {
  [UITPAS_DEMO_REWARDS.coffee.id]: 250,
  [UITPAS_DEMO_REWARDS.ticket.id]: 500,
  [UITPAS_DEMO_REWARDS.welcome.id]: 300,
  [UITPAS_DEMO_REWARDS.exhibition.id]: 800,
  [UITPAS_DEMO_REWARDS.summerBar.id]: 200,
  [UITPAS_DEMO_REWARDS.toteBag.id]: 1200,
  [UITPAS_DEMO_REWARDS.denderOnly.id]: 1000,
  // poster: deliberately none (a gift, not money off)
};

export type UitpasPermission = 'PASSES_READ' | 'REWARDS_READ' | 'REWARDS_REDEEM' | 'REWARDS_PASSHOLDERS_READ' | 'REWARDS_WRITE';

export interface UitpasClient {
  clientId: string;
  clientSecret: string;
  /** Permissions per organizer id. */
  permissions: Record<string, UitpasPermission[]>;
}

export const UITPAS_SANDBOX_CLIENTS = {
  /** The terminal's client: everything it needs for its own counter, and REWARDS_WRITE for the manager's rewards desk. */
  pos: {
    clientId: 'uitpas-pos-sandbox',
    clientSecret: 'uitpas-pos-sandbox-secret',
    permissions: { [UITPAS_ORGANIZERS.counter.id]: ['PASSES_READ', 'REWARDS_READ', 'REWARDS_REDEEM', 'REWARDS_WRITE'] },
  },
  /** A client that may look but not redeem (for "forbidden" flows). */
  readOnly: {
    clientId: 'uitpas-readonly-sandbox',
    clientSecret: 'uitpas-readonly-sandbox-secret',
    permissions: { [UITPAS_ORGANIZERS.counter.id]: ['PASSES_READ', 'REWARDS_READ'] },
  },
} as const satisfies Record<string, UitpasClient>;

export const UITPAS_AUDIENCE = 'https://api.publiq.be';

/** The UiTPAS adapter's configuration for a sandbox running at `sandboxUrl`. */
export function uitpasSandboxConfig(sandboxUrl: string): {
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  organizerId: string;
  rewardDiscounts: Record<string, number>;
  currency: string;
} {
  return {
    apiUrl: `${sandboxUrl}/uitpas`,
    tokenUrl: `${sandboxUrl}/uitpas/oauth/token`,
    clientId: UITPAS_SANDBOX_CLIENTS.pos.clientId,
    clientSecret: UITPAS_SANDBOX_CLIENTS.pos.clientSecret,
    organizerId: UITPAS_ORGANIZERS.counter.id,
    rewardDiscounts: { ...UITPAS_DEMO_DISCOUNTS },
    currency: 'EUR',
  };
}

/** What a manager types to connect a terminal to this emulator's UiTPAS (shared/programs/uitpas.ts fields). */
export function uitpasTrainingConnection(sandboxUrl: string): Record<string, string> {
  const c = uitpasSandboxConfig(sandboxUrl);
  return {
    apiUrl: c.apiUrl,
    tokenUrl: c.tokenUrl,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    organizerId: c.organizerId,
    rewardDiscounts: JSON.stringify(c.rewardDiscounts),
    currency: c.currency,
  };
}
