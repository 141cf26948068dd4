import { NETWORK_FIELDS } from './network.js';
import type { ProgramDescriptor } from './types.js';

/**
 * Card-linked offers on Pentadata's "Pay with Points":
 * enrolled payment cards linked to the store's offers, alerts when they pay.
 * The alert signature's header, content and encoding are not published: settings.
 */
export const CARDLINKED = {
  id: 'cardlinked',
  name: 'Card-linked offers (Pentadata)',
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
    { key: 'baseUrl', label: 'API base', kind: 'url', required: true, help: "Pentadata's API base URL." },
    { key: 'email', label: 'email', kind: 'text', required: true, help: 'The e-mail of the data subscriber account (POST /subscribers/login).' },
    { key: 'apiKey', label: 'api_key', kind: 'secret', required: true, help: 'The API key of the data subscriber account.' },
    {
      key: 'merchantId',
      label: 'merchant_id',
      kind: 'integer',
      required: true,
      help: "The store's merchant id, given by Pentadata (offers are created for it).",
    },
    {
      key: 'alertToken',
      label: 'Pentadata-Key',
      kind: 'secret',
      required: true,
      help: 'The alert token from the Pentadata dashboard: every alert carries it.',
      inbound: true,
    },
    {
      key: 'hmacSecret',
      label: 'HMAC secret',
      kind: 'secret',
      required: false,
      help: 'Only where Pentadata signs alerts with HMAC-SHA256 for this store: the shared secret.',
      inbound: true,
    },
    {
      key: 'hmacHeader',
      label: 'HMAC header',
      kind: 'text',
      required: false,
      default: 'X-Pentadata-Signature',
      help: 'The header that carries the signature (not published: ask Pentadata).',
    },
    {
      key: 'hmacContent',
      label: 'HMAC content',
      kind: 'text',
      required: false,
      default: 'body',
      choices: ['body', 'url+body'],
      help: 'What the signature covers: the raw body, or the registered alert URL followed by it.',
    },
    {
      key: 'hmacEncoding',
      label: 'HMAC encoding',
      kind: 'text',
      required: false,
      default: 'hex',
      choices: ['hex', 'base64'],
      help: 'How the signature is written.',
    },
    ...NETWORK_FIELDS,
  ],
  programSettings: [{ key: 'currency', label: 'Currency', kind: 'text', required: false, default: 'EUR', help: 'Currency of a transaction that names none.' }],
  environmentField: 'baseUrl',
  docs: 'https://pentadata.com/',
} as const satisfies ProgramDescriptor<'cardlinked'>;
