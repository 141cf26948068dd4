import { NETWORK_FIELDS } from './network.js';
import type { ProgramDescriptor } from './types.js';

/** White Label Loyalty ("Loyalty Engine"): a free amount of points, event-driven ledger. */
export const WHITELABEL = {
  id: 'whitelabel',
  name: 'White Label Loyalty',
  capabilities: {
    redemption: 'points',
    identifiers: ['memberId'],
    pointsDecimals: 0,
    validationCode: false,
    reversal: 'partial',
    retrySafety: 'lookup-before-retry',
    balanceAtCounter: true,
  },
  connection: [
    {
      key: 'baseUrl',
      label: 'API base',
      kind: 'url',
      required: true,
      help: 'Including the version: https://api.staging.rewards.wlloyalty.net/v1 (staging) or https://api.rewards.wlloyalty.net/v1.',
    },
    { key: 'tokenUrl', label: 'Token URL', kind: 'url', required: true, help: 'https://auth.wlloyalty.net/oauth/token' },
    { key: 'apiKey', label: 'X-Api-Key', kind: 'secret', required: true, help: 'The API key sent with every request.' },
    { key: 'clientId', label: 'client_id', kind: 'text', required: true, help: 'OAuth client id for the admin calls.' },
    { key: 'clientSecret', label: 'client_secret', kind: 'secret', required: true, help: 'OAuth client secret.' },
    ...NETWORK_FIELDS,
  ],
  programSettings: [
    {
      key: 'pointsCurrencyValue',
      label: 'pointsCurrencyValue',
      kind: 'text',
      required: true,
      help: "The program's value of one point, e.g. 0.01 (1 point = 1 cent). Ask the program owner: the API does not give it.",
    },
    { key: 'currency', label: 'Currency', kind: 'text', required: false, default: 'EUR', help: 'ISO code of the points value.' },
    {
      key: 'redeemEventType',
      label: 'Redemption event type',
      kind: 'text',
      required: false,
      default: 'REDEEMED_POINTS',
      help: "The program owner's custom event type whose reactor takes the points off ($.points * -1).",
    },
    {
      key: 'refundEventType',
      label: 'Refund event type',
      kind: 'text',
      required: false,
      default: 'POINTS_REFUND',
      help: "The program owner's custom event type whose reactor gives the points back.",
    },
  ],
  hosts: {
    test: { baseUrl: 'https://api.staging.rewards.wlloyalty.net/v1', tokenUrl: 'https://auth.wlloyalty.net/oauth/token' },
    production: { baseUrl: 'https://api.rewards.wlloyalty.net/v1', tokenUrl: 'https://auth.wlloyalty.net/oauth/token' },
  },
  environmentField: 'baseUrl',
  docs: 'https://docs.wlloyalty.net/',
} as const satisfies ProgramDescriptor<'whitelabel'>;
