import { describe, expect, it } from 'vitest';
import { SECRETS } from '../../test/secrets-fixture.js';
import { REDACTED, redact, redactText } from './redact.js';

describe('redactText', () => {
  it('masks member and card numbers to the last four, plain or grouped', () => {
    expect(redactText(`member ${SECRETS.member} paid`)).toBe('member ••••••••0016 paid');
    expect(redactText('card 4111 1111 1111 1111 declined')).not.toMatch(/4111 1111/);
    expect(redactText('uitpas 4000 123 456 789')).toMatch(/••••••••6789/);
    expect(redactText('+32475123456 called')).toBe('•••••••3456 called');
  });

  it('removes bearer tokens, JWTs and secret name=value pairs (URLs, JSON, headers)', () => {
    const dump = `GET /v1/members?apiKey=${SECRETS.apiKey}&page=2 Authorization: Bearer ${SECRETS.token} {"client_secret":"${SECRETS.clientSecret}","pin": "${SECRETS.pin}","amount":12} id_token=${SECRETS.jwt} http://127.0.0.1:4000/#token=${SECRETS.token}`;
    const out = redactText(dump);
    for (const s of [SECRETS.apiKey, SECRETS.token, SECRETS.clientSecret, SECRETS.jwt]) expect(out).not.toContain(s);
    expect(out).not.toContain(`"${SECRETS.pin}"`);
    expect(out).toContain('page=2');
    expect(out).toContain('"amount":12');
    expect(out).toContain(`"client_secret":"${REDACTED}"`);
    // A harmless pair in front must not swallow the secret one (a stack's first line).
    expect(redactText(`Error: token=${SECRETS.token}\n    at f (x.js:1:2)`)).toBe(`Error: token=${REDACTED}\n    at f (x.js:1:2)`);
  });

  it('masks e-mail addresses and leaves ordinary text, dates and small numbers alone', () => {
    expect(redactText(`mail ${SECRETS.email}`)).toBe('mail a•••@example.com');
    const plain = 'sale S-42 at 2026-12-06T08:00:00Z for 1250 points (token expired: retry)';
    expect(redactText(plain)).toBe(plain);
  });
});

describe('redact', () => {
  it('replaces secret fields whole, masks member fields, recurses into errors, causes and request dumps', () => {
    const cause = new Error(`backend said member ${SECRETS.member} unknown`);
    const err = Object.assign(new Error(`POST failed with x-api-key=${SECRETS.apiKey}`, { cause }), {
      request: {
        headers: { Authorization: `Bearer ${SECRETS.token}`, 'X-Api-Key': SECRETS.apiKey, accept: 'json' },
        body: { cardNumber: SECRETS.card, managerPin: SECRETS.pin },
      },
    });
    const out = redact({
      err,
      memberNumber: SECRETS.member,
      credentials: { clientSecret: SECRETS.clientSecret },
      headers: new Headers({ cookie: 'sid=abc123' }),
    });
    const text = JSON.stringify(out);
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
    expect(text).not.toContain('sid=abc123');
    expect(text).toContain('0016');
    expect(text).toContain('"accept":"json"');
    expect((out as { err: { stack: string } }).err.stack).toMatch(/POST failed/);
  });

  it('survives cycles and huge arrays', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(JSON.stringify(redact(a))).toContain('[circular]');
    expect((redact(new Array(1000).fill(1)) as unknown[]).length).toBe(100);
  });
});
