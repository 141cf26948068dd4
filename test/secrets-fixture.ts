/**
 * Secrets the redaction tests feed into the log, the support bundle and crash
 * notes; none of these strings may come out (the member number only masked).
 */
export const SECRETS = {
  member: '2000000000016',
  card: '4111111111111111',
  token: 'tok_live_5fd2a9c1e8b7',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl',
  apiKey: 'sbx-key-9f8e7d6c',
  clientSecret: 'cs_very_secret_42',
  pin: '7391',
  email: 'anna.peeters@example.com',
};

/** Fails naming the secret when `text` contains any of SECRETS. */
export function leakedSecrets(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, s]) => text.includes(s))
    .map(([name]) => name);
}
