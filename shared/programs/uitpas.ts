import { NETWORK_FIELDS } from './network.js';
import { SCAN_PATTERNS } from './scan-patterns.js';
import type { ProgramDescriptor } from './types.js';

/** UiTPAS (publiq): a reward catalogue, points per reward. */
export const UITPAS = {
  id: 'uitpas',
  name: 'UiTPAS',
  capabilities: {
    redemption: 'reward',
    identifiers: ['uitpas', 'insz'],
    pointsDecimals: 0,
    validationCode: false,
    reversal: 'full',
    retrySafety: 'lookup-before-retry',
    balanceAtCounter: true,
  },
  connection: [
    { key: 'apiUrl', label: 'API host', kind: 'url', required: true, help: 'https://api-test.uitpas.be (test) or https://api.uitpas.be (production).' },
    {
      key: 'tokenUrl',
      label: 'Token URL',
      kind: 'url',
      required: true,
      help: 'https://account-test.uitid.be/oauth/token (test) or https://account.uitid.be/oauth/token (production).',
    },
    { key: 'clientId', label: 'client_id', kind: 'text', required: true, help: 'The client id publiq gives the counter (client credentials).' },
    { key: 'clientSecret', label: 'client_secret', kind: 'secret', required: true, help: 'The secret that goes with the client id.' },
    {
      key: 'scope',
      label: 'scope',
      kind: 'text',
      required: false,
      help: 'Leave empty: the token request carries no scope unless publiq asks for one (space-separated).',
    },
    {
      key: 'organizerId',
      label: 'organizerId',
      kind: 'text',
      required: true,
      help: 'The organizer (UiTdatabank id) this counter belongs to; the client needs PASSES_READ, REWARDS_READ and REWARDS_REDEEM for it.',
    },
    ...NETWORK_FIELDS,
  ],
  programSettings: [
    {
      key: 'rewardDiscounts',
      label: 'Discount per reward',
      kind: 'json',
      required: false,
      default: '{}',
      help: 'JSON object: reward id -> discount in cents this counter gives for it (UiTPAS has no euro value).',
    },
    { key: 'currency', label: 'Currency', kind: 'text', required: false, default: 'EUR', help: 'ISO code of the discounts.' },
  ],
  hosts: {
    test: { apiUrl: 'https://api-test.uitpas.be', tokenUrl: 'https://account-test.uitid.be/oauth/token' },
    production: { apiUrl: 'https://api.uitpas.be', tokenUrl: 'https://account.uitid.be/oauth/token' },
  },
  environmentField: 'apiUrl',
  scanPattern: SCAN_PATTERNS.uitpas,
  docs: 'https://docs.publiq.be/docs/uitpas/',
} as const satisfies ProgramDescriptor<'uitpas'>;
