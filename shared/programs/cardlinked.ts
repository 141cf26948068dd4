import { NETWORK_FIELDS } from './network.js';
import type { ProgramDescriptor } from './types.js';

/** Card-linked offers: enrolled payment cards, cashback offers. PROVIDERS.md section 5. */
export const CARDLINKED = {
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
  connection: [
    { key: 'baseUrl', label: 'API base', kind: 'url', required: true, help: "The platform's API base including the version." },
    { key: 'secretKey', label: 'Secret key', kind: 'secret', required: true, help: 'The secret API key (test keys start with sk_test_).' },
    { key: 'programId', label: 'Program id', kind: 'text', required: true, help: 'The program cards are enrolled in.' },
    ...NETWORK_FIELDS,
  ],
  programSettings: [
    { key: 'currency', label: 'Currency', kind: 'text', required: false, default: 'EUR', help: 'Currency of the offers when an offer names none.' },
    { key: 'countryCode', label: 'Card country', kind: 'text', required: false, default: 'BEL', help: 'ISO 3166 alpha-3 country the cards are issued in.' },
  ],
  environmentField: 'baseUrl',
  docs: 'https://pentadata.com/',
} as const satisfies ProgramDescriptor<'cardlinked'>;
