import { NETWORK_FIELDS } from './network.js';
import type { ProgramDescriptor } from './types.js';

/** GafaPay: a free amount with min/max; points become wallet cashback. */
export const GAFAPAY = {
  id: 'gafapay',
  name: 'GafaPay',
  capabilities: {
    redemption: 'points',
    identifiers: ['appCode'],
    pointsDecimals: 2,
    validationCode: false,
    reversal: 'none',
    retrySafety: 'lookup-before-retry',
    balanceAtCounter: true,
  },
  connection: [
    { key: 'baseUrl', label: 'API base', kind: 'url', required: true, help: 'Including the version: https://api.gafapay.com:8443/gafapay/v3' },
    {
      key: 'merchantToken',
      label: 'merchant authorization Token (JWT), on behalf of members',
      kind: 'secret',
      required: false,
      help: "Leave empty for GafaPay's documented flow: each member's own token, from the code their GafaPay app shows. Fill in only if GafaPay allowed this merchant token to redeem on members' behalf.",
    },
    { key: 'companyId', label: 'companyid', kind: 'text', required: true, help: 'Your company id (header companyid).' },
    { key: 'currencyId', label: 'currency_id', kind: 'text', required: true, help: "GafaPay's id of the points' currency." },
    {
      key: 'debitType',
      label: 'debit_type',
      kind: 'integer',
      required: true,
      help: 'company_admin_user_info.debit_type of the account that funds the cashback.',
    },
    { key: 'debitAccountType', label: 'debit_account_type', kind: 'integer', required: true, help: 'company_admin_user_info.debit_account_type.' },
    { key: 'debitAccountTypeId', label: 'debit_account_type_id', kind: 'text', required: true, help: 'company_admin_user_info.debit_account_type_id.' },
    { key: 'username', label: 'username', kind: 'text', required: true, help: 'company_admin_user_info.username.' },
    ...NETWORK_FIELDS,
  ],
  programSettings: [
    { key: 'currency', label: 'Currency', kind: 'text', required: false, default: 'EUR', help: 'ISO code of currency_id.' },
    {
      key: 'pointsDecimals',
      label: 'Decimals in a points figure',
      kind: 'integer',
      required: false,
      default: '2',
      help: 'How many decimals your company allows (0..3).',
    },
  ],
  hosts: {
    production: { baseUrl: 'https://api.gafapay.com:8443/gafapay/v3' },
  },
  environmentField: 'baseUrl',
  docs: 'https://api.gafapay.com/',
} as const satisfies ProgramDescriptor<'gafapay'>;
