/**
 * The Pentadata alert receiver on a real loopback socket. Every expected
 * HMAC here is computed in this file with node:crypto, never with the code
 * under test: the Pentadata-Key (missing, wrong of either length, right),
 * an HMAC where configured (missing, tampered, hex and base64, over the body
 * or the registered URL and the body), bodies too large or unreadable, a
 * duplicate, and a storage failure.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { NoticeRefusalReason } from '../../../shared/contract/offers.js';
import type { AlertVerification, PentadataTransaction } from '../../adapters/pentadata.js';
import { DEFAULT_RECEIVER_CONFIG, startReceiver, type RunningReceiver } from './receiver.js';

const TOKEN = 'pd-alert-token-for-the-test-0001';
const SECRET = 'hmac-secret-for-the-test';
const PUBLIC_URL = 'https://pos.store.example.be/webhooks/card-linked';
const BODY = JSON.stringify({ transaction_id: 'tx_1', card_id: 7, amount: 23.5, currency: 'EUR', date: '2026-03-01T10:00:00Z' });

let running: RunningReceiver | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function receiver(verification: AlertVerification, onNotice: (t: PentadataTransaction) => 'stored' | 'duplicate' | 'unreadable' = () => 'stored') {
  const refused: NoticeRefusalReason[] = [];
  const seen: PentadataTransaction[] = [];
  const reported: unknown[] = [];
  running = await startReceiver(
    { ...DEFAULT_RECEIVER_CONFIG, port: 0, publicUrl: PUBLIC_URL, maxBodyBytes: 2048 },
    {
      verification,
      onNotice: (t) => {
        seen.push(t);
        return onNotice(t);
      },
      onRefused: (r) => refused.push(r),
      report: (e) => reported.push(e),
    },
  );
  const post = (headers: Record<string, string>, body = BODY, path = '') =>
    fetch(running!.localUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.status);
  return { refused, seen, reported, post };
}

describe('alert receiver', () => {
  it('takes an alert with the right Pentadata-Key, and refuses a missing or wrong one (either length) as bad-key', async () => {
    const r = await receiver({ alertToken: TOKEN });
    expect(await r.post({ 'Pentadata-Key': TOKEN })).toBe(200);
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]).toMatchObject({ transactionId: 'tx_1', cardId: '7', amountCents: 2350, currency: 'EUR', raw: BODY });
    expect(await r.post({})).toBe(401);
    expect(await r.post({ 'Pentadata-Key': TOKEN.slice(0, -1) + 'X' })).toBe(401);
    expect(await r.post({ 'Pentadata-Key': TOKEN + 'X' })).toBe(401);
    expect(await r.post({ 'Pentadata-Key': 'short' })).toBe(401);
    expect(r.refused).toEqual(['bad-key', 'bad-key', 'bad-key', 'bad-key']);
    expect(r.seen).toHaveLength(1);
    // Not an alert at all: not counted.
    expect(await fetch(running!.localUrl.replace('/webhooks/card-linked', '/other'), { method: 'POST', body: '{}' }).then((x) => x.status)).toBe(404);
    expect(await fetch(running!.localUrl).then((x) => x.status)).toBe(405);
    expect(r.refused).toHaveLength(4);
  });

  it('checks a configured HMAC: its header, encoding and content are settings', async () => {
    const hex = createHmac('sha256', SECRET).update(BODY).digest('hex');
    const r = await receiver({ alertToken: TOKEN, hmac: { secret: SECRET, header: 'X-Signature', content: 'body', encoding: 'hex' } });
    expect(await r.post({ 'Pentadata-Key': TOKEN, 'X-Signature': hex })).toBe(200);
    expect(await r.post({ 'Pentadata-Key': TOKEN })).toBe(401);
    expect(await r.post({ 'Pentadata-Key': TOKEN, 'X-Signature': hex }, BODY.replace('23.5', '93.5'))).toBe(401);
    expect(await r.post({ 'Pentadata-Key': 'wrong', 'X-Signature': hex })).toBe(401);
    expect(r.refused).toEqual(['bad-signature', 'bad-signature', 'bad-key']);
    await running!.close();

    const overUrl = createHmac('sha256', SECRET)
      .update(PUBLIC_URL + BODY)
      .digest('base64');
    const r2 = await receiver({ alertToken: TOKEN, hmac: { secret: SECRET, header: 'X-Sig', content: 'url+body', encoding: 'base64' } });
    expect(await r2.post({ 'Pentadata-Key': TOKEN, 'X-Sig': overUrl })).toBe(200);
    expect(await r2.post({ 'Pentadata-Key': TOKEN, 'X-Sig': createHmac('sha256', SECRET).update(BODY).digest('base64') })).toBe(401);
    expect(r2.refused).toEqual(['bad-signature']);
  });

  it('refuses what it cannot read, counts a duplicate, and answers 500 when storing fails', async () => {
    let next: 'stored' | 'duplicate' | 'unreadable' | 'throw' = 'unreadable';
    const r = await receiver({ alertToken: TOKEN }, () => {
      if (next === 'throw') throw new Error('disk full');
      return next;
    });
    expect(await r.post({ 'Pentadata-Key': TOKEN }, 'not json')).toBe(400);
    expect(r.seen[0]).toMatchObject({ transactionId: null, raw: 'not json' }); // handed on, so the raw body reaches the log
    expect(await r.post({ 'Pentadata-Key': TOKEN }, JSON.stringify({ big: 'x'.repeat(4000) }))).toBe(400);
    next = 'duplicate';
    expect(await r.post({ 'Pentadata-Key': TOKEN })).toBe(200);
    next = 'throw';
    expect(await r.post({ 'Pentadata-Key': TOKEN })).toBe(500);
    expect(r.refused).toEqual(['malformed', 'malformed', 'duplicate']);
    expect(r.reported).toHaveLength(1);
  });
});
