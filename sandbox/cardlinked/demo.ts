/**
 * Card-linked offers demo data for training mode and tests: one brand with a
 * store location, a few offers (live every day, live on weekdays only, a fixed
 * amount, one expired and one upcoming), the sandbox's secret key and program,
 * and the platform's test card numbers. Nothing here is secret: these values
 * only open the local sandbox.
 */

/** The platform's test card ranges: any last three digits (PROVIDERS.md section 5). */
export const TEST_CARD_PREFIXES = { visa: '4444000000004', mastercard: '5555000000005' } as const;

/** Test card numbers for demos and tests (16 digits, last three chosen freely). */
export const DEMO_TEST_CARDS = {
  visa: '4444000000004001',
  visa2: '4444000000004123',
  mastercard: '5555000000005007',
  /** A real-looking Visa number outside the test range: the sandbox refuses it. */
  notTest: '4111111111111111',
} as const;

export const CARD_LINKED_SANDBOX_CREDENTIALS = {
  /** Secret API key, sent as `Fidel-Key`. Test keys start with sk_test_. */
  secretKey: 'sk_test_pwp_sandbox_0001',
  programId: 'prog_demo_0001',
  accountId: 'acc_demo_0001',
  currency: 'EUR',
  countryCode: 'BEL',
} as const;

export interface CardLinkedDemoBrand {
  id: string;
  name: string;
}

export interface CardLinkedDemoLocation {
  id: string;
  brandId: string;
  address: string;
  city: string;
  postcode: string;
  countryCode: string;
}

export interface CardLinkedDemoOffer {
  id: string;
  brandId: string;
  name: string;
  /** Percentage discount (value in percent, up to 2 decimals) or a fixed amount (value in currency units). */
  type: { name: 'discount' | 'amount'; value: number };
  /** Currency units (decimal numbers on the wire, like the platform). */
  minTransactionAmount: number | null;
  maxTransactionAmount: number | null;
  /** Day offsets from the sandbox's start (negative = in the past); endDays null = open-ended. */
  startDays: number;
  endDays: number | null;
  /** 0 = Sunday .. 6 = Saturday. */
  daysOfWeek: number[];
  /** The text shown to the customer at the counter. */
  additionalTerms: string;
  purpose: string;
}

export const DEMO_BRAND: CardLinkedDemoBrand = { id: 'brand_demo_coffee', name: 'Demo Coffee Co.' };

export const DEMO_LOCATION: CardLinkedDemoLocation = {
  id: 'loc_demo_0001',
  brandId: DEMO_BRAND.id,
  address: 'Grote Markt 1',
  city: 'Leuven',
  postcode: '3000',
  countryCode: 'BEL',
};

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

export const DEMO_OFFERS = {
  /** 10% back on 5.00 to 100.00, every day: the everyday offer. */
  tenPercent: {
    id: 'offer_demo_10pct',
    brandId: DEMO_BRAND.id,
    name: '10% back at Demo Coffee',
    type: { name: 'discount', value: 10 },
    minTransactionAmount: 5,
    maxTransactionAmount: 100,
    startDays: -30,
    endDays: 60,
    daysOfWeek: EVERY_DAY,
    additionalTerms: 'Pay with your enrolled card and get 10% back on purchases from 5.00 (up to 100.00).',
    purpose: 'live every day: percentage cashback with a minimum and a cap',
  },
  /** 2.00 off a purchase of 15.00 or more. */
  twoOff: {
    id: 'offer_demo_2eur',
    brandId: DEMO_BRAND.id,
    name: '2.00 off from 15.00',
    type: { name: 'amount', value: 2 },
    minTransactionAmount: 15,
    maxTransactionAmount: null,
    startDays: -7,
    endDays: null,
    daysOfWeek: EVERY_DAY,
    additionalTerms: 'Spend 15.00 or more with your enrolled card and get 2.00 back.',
    purpose: 'live, open-ended: fixed amount above a minimum',
  },
  /** 7.5% on weekdays only. */
  weekdays: {
    id: 'offer_demo_weekday',
    brandId: DEMO_BRAND.id,
    name: '7.5% back on weekdays',
    type: { name: 'discount', value: 7.5 },
    minTransactionAmount: null,
    maxTransactionAmount: null,
    startDays: -1,
    endDays: 30,
    daysOfWeek: [1, 2, 3, 4, 5],
    additionalTerms: 'Monday to Friday: 7.5% back with your enrolled card.',
    purpose: 'live, weekdays only: a weekend purchase does not qualify',
  },
  /** Ended last month: never listed as live, cannot be linked. */
  expired: {
    id: 'offer_demo_expired',
    brandId: DEMO_BRAND.id,
    name: 'Spring promotion (ended)',
    type: { name: 'discount', value: 15 },
    minTransactionAmount: null,
    maxTransactionAmount: null,
    startDays: -90,
    endDays: -30,
    daysOfWeek: EVERY_DAY,
    additionalTerms: 'This promotion has ended.',
    purpose: 'expired: not listed as live, linking refused',
  },
  /** Starts next week: not live yet, but a card may already be linked (as on the platform). */
  upcoming: {
    id: 'offer_demo_upcoming',
    brandId: DEMO_BRAND.id,
    name: 'Summer 5% (starts next week)',
    type: { name: 'discount', value: 5 },
    minTransactionAmount: null,
    maxTransactionAmount: null,
    startDays: 7,
    endDays: 60,
    daysOfWeek: EVERY_DAY,
    additionalTerms: 'From next week: 5% back with your enrolled card.',
    purpose: 'upcoming: not live yet',
  },
} as const satisfies Record<string, CardLinkedDemoOffer>;

/** The card-linked adapter's configuration for a sandbox running at `sandboxUrl`. */
export function cardLinkedSandboxConfig(sandboxUrl: string): {
  baseUrl: string;
  secretKey: string;
  programId: string;
  currency: string;
  countryCode: string;
} {
  const c = CARD_LINKED_SANDBOX_CREDENTIALS;
  return { baseUrl: `${sandboxUrl}/cardlinked/v1`, secretKey: c.secretKey, programId: c.programId, currency: c.currency, countryCode: c.countryCode };
}

/** What a manager types to connect a terminal to this emulator's card-linked platform (shared/programs/cardlinked.ts fields). */
export function cardLinkedTrainingConnection(sandboxUrl: string): Record<string, string> {
  return { ...cardLinkedSandboxConfig(sandboxUrl) };
}
