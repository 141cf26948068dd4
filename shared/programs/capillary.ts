import { NETWORK_FIELDS } from './network.js';
import type { ProgramDescriptor } from './types.js';

/** Capillary: a free amount, validation code (OTP), decimal points. */
export const CAPILLARY = {
  id: 'capillary',
  name: 'Capillary',
  capabilities: {
    redemption: 'points',
    identifiers: ['mobile', 'email', 'card', 'externalId'],
    pointsDecimals: 3,
    validationCode: true,
    reversal: 'partial',
    retrySafety: 'lookup-before-retry',
    balanceAtCounter: true,
  },
  connection: [
    { key: 'baseUrl', label: 'Cluster host', kind: 'url', required: true, help: 'https://eu.api.capillarytech.com (or us, apac, apac2), without a version.' },
    { key: 'tillId', label: 'Till id', kind: 'text', required: false, help: 'Till name for Basic auth (with its password), or leave empty and use OAuth.' },
    {
      key: 'tillPassword',
      label: 'Till password',
      kind: 'secret',
      required: false,
      help: 'The till password (the terminal sends only its MD5, as Capillary asks).',
    },
    { key: 'oauthKey', label: 'OAuth key', kind: 'text', required: false, help: 'Key for /v3/oauth/token/generate (instead of the till).' },
    { key: 'oauthSecret', label: 'OAuth secret', kind: 'secret', required: false, help: 'Secret that goes with the OAuth key.' },
    { key: 'programId', label: 'program_id', kind: 'text', required: true, help: 'The loyalty program redemptions are posted to.' },
    ...NETWORK_FIELDS,
  ],
  programSettings: [
    {
      key: 'validationCode',
      label: 'Validation code (OTP) required',
      kind: 'boolean',
      required: true,
      help: 'Whether the program makes members give the code they receive by SMS/e-mail.',
    },
    {
      key: 'reversalEnabled',
      label: 'Allow_points_redemption_reversal',
      kind: 'boolean',
      required: false,
      default: 'true',
      help: 'The EMF setting: whether refunds can give points back.',
    },
    { key: 'minPoints', label: 'Minimum points', kind: 'text', required: false, help: 'Smallest redemption (decimal).' },
    { key: 'maxPoints', label: 'Maximum points', kind: 'text', required: false, help: 'Largest redemption (decimal); empty: none.' },
    { key: 'multipleOf', label: 'Points step', kind: 'text', required: false, default: '0.001', help: 'Redemptions must be a multiple of this.' },
    { key: 'currency', label: 'Currency', kind: 'text', required: false, default: 'EUR', help: 'ISO code of points_currency_ratio.' },
    {
      key: 'timeZone',
      label: 'Organisation time zone',
      kind: 'text',
      required: false,
      default: 'UTC',
      help: "redemption_time is sent as the organisation's local time: its IANA name, e.g. Asia/Kolkata or Europe/Brussels.",
    },
  ],
  alternatives: [
    ['tillId', 'tillPassword'],
    ['oauthKey', 'oauthSecret'],
  ],
  environmentField: 'baseUrl',
  docs: 'https://docs.capillarytech.com/',
} as const satisfies ProgramDescriptor<'capillary'>;
