/**
 * The desk's "Shipping to the chain" panel (renderer/src/screens/manager/ShippingPanel.tsx),
 * English: the reference. shipping-nl.ts and shipping-fr.ts have the same keys.
 * The error messages themselves come from the terminal service, in English.
 */
export const shippingEn = {
  title: 'Shipping to the chain',
  help: 'This terminal can send every log entry and each day’s end of day to the chain’s database (PostgreSQL). The counter never waits for it.',
  off: 'Off: this terminal’s log stays here.',
  target: 'Database',
  connected: 'Connected',
  notConnected: 'Not connected',
  lastShipped: 'Last entry shipped',
  lastShippedValue: 'no. {{seq}} of {{head}}',
  never: 'none yet',
  lag: 'Waiting to be shipped',
  lagValue: '{{count}} entries (oldest {{age}})',
  upToDate: 'nothing: up to date',
  lastDay: 'Last end of day shipped',
  lastError: 'Last error',
  conflicts: 'Refused by the chain (it holds something else)',
  conflictEntry: 'log entry {{key}}',
  conflictDay: 'end of day {{key}}',
  address: 'Database address',
  addressHint: 'postgres://user:password@host:5432/database (add ?sslmode=verify-full&sslrootcert=/path/ca.pem for TLS)',
  save: 'Save and connect',
  switchOff: 'Switch off',
  fromStartup: 'Set by the provisioning file or the command line: change it there.',
  refresh: 'Refresh',
  seconds: '{{count}} s',
  minutes: '{{count}} min',
  hours: '{{count}} h',
};
