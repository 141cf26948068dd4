/**
 * The notice receiver on a real loopback socket with a real SQLite file.
 * Every expected signature here is computed in this file with node:crypto
 * (or is a literal computed with openssl), never with the code under test:
 * good, tampered body, wrong URL, stale and future timestamps, wrong secret,
 * missing headers; then redelivery stored once, a refund linked to its
 * original, malformed bodies, and the refusal counts.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/temp-dir.js';
import { Store } from '../../store/store.js';
import { NoticeStore } from './notice-store.js';
import { startReceiver, type RunningReceiver } from './receiver.js';
import { computeSignature, verifySignature } from './signature.js';

const SECRET = 'wh_test_3f1c0d9e8b7a6f5e4d3c2b1a09182736';
const PUBLIC_URL = 'https://pos.store.example.be/webhooks/card-linked';

/** The platform's scheme, written out here independently of signature.ts. */
function sign(secret: string, rawBody: string, url: string, timestamp: string): string {
  const inner = createHmac('sha256', secret)
    .update(rawBody + url + timestamp)
    .digest('base64');
  return createHmac('sha256', secret).update(inner).digest('base64');
}

function purchase(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'tx-0001',
    accountId: 'acc',
    programId: 'prog',
    amount: 23.5,
    currency: 'EUR',
    auth: true,
    cleared: false,
    datetime: new Date().toISOString(),
    card: { id: 'card-1', scheme: 'visa', lastNumbers: '4001' },
    brand: { id: 'b', name: 'Demo Coffee Co.' },
    offer: { id: 'offer_demo_10pct', name: '10% back', cashback: 2.35, qualified: true },
    originalTransactionId: null,
    ...over,
  };
}

describe('signature vectors', () => {
  it('matches a vector computed with openssl', () => {
    const raw = '{"id":"tx-1","amount":12.5}';
    // printf '%s' "$raw$url$ts" | openssl dgst -sha256 -hmac "$secret" -binary | base64, then the same over that
    const expected = 'yF55B00nsGEw3pbrooYRStTqzyoa7gCMQ/TfW67LRM4=';
    expect(sign('wh_test_vector_secret', raw, 'https://pos.example.be/webhooks/card-linked', '1700000000000')).toBe(expected);
    expect(computeSignature('wh_test_vector_secret', raw, 'https://pos.example.be/webhooks/card-linked', '1700000000000')).toBe(expected);
    expect(
      verifySignature({
        secrets: ['wh_test_vector_secret'],
        rawBody: Buffer.from(raw),
        url: 'https://pos.example.be/webhooks/card-linked',
        timestamp: '1700000000000',
        signature: expected,
      }),
    ).toBe(true);
  });

  it('refuses a signature of the wrong length, an empty secret list, and accepts any of two secrets (rotation)', () => {
    const raw = '{}';
    const good = sign('new', raw, PUBLIC_URL, '1');
    const base = { rawBody: raw, url: PUBLIC_URL, timestamp: '1' };
    expect(verifySignature({ ...base, secrets: ['old', 'new'], signature: good })).toBe(true);
    expect(verifySignature({ ...base, secrets: ['old'], signature: good })).toBe(false);
    expect(verifySignature({ ...base, secrets: [], signature: good })).toBe(false);
    expect(verifySignature({ ...base, secrets: ['new'], signature: good.slice(0, -1) })).toBe(false);
    expect(verifySignature({ ...base, secrets: ['new'], signature: good + 'A' })).toBe(false);
    expect(verifySignature({ ...base, secrets: ['new'], signature: '' })).toBe(false);
  });
});

describe('notice receiver', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  let notices: NoticeStore;
  let rx: RunningReceiver;
  let now: number;

  beforeEach(async () => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 'terminal.db'));
    notices = new NoticeStore(store, 'T-TEST');
    now = Date.now();
    rx = await startReceiver(
      { host: '127.0.0.1', port: 0, path: '/webhooks/card-linked', publicUrl: PUBLIC_URL, toleranceMs: 300_000, maxBodyBytes: 16 * 1024 },
      {
        secrets: () => [SECRET],
        onNotice: (n) => notices.record(n, new Date(now).toISOString()).outcome,
        onRefused: (r) => notices.countRefusal(r, new Date(now).toISOString()),
        now: () => now,
      },
    );
  });
  afterEach(async () => {
    await rx.close();
    store.close();
    tmp.cleanup();
  });

  /** Posts `raw` to the receiver with the given signature inputs (defaults: correct ones). */
  async function post(
    raw: string,
    o: { secret?: string; url?: string; ts?: string; signature?: string | null; timestamp?: string | null; path?: string } = {},
  ) {
    const ts = o.ts ?? String(now);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const sig = o.signature === undefined ? sign(o.secret ?? SECRET, raw, o.url ?? PUBLIC_URL, ts) : o.signature;
    if (sig !== null) headers['X-Fidel-Signature'] = sig;
    const tsHeader = o.timestamp === undefined ? ts : o.timestamp;
    if (tsHeader !== null) headers['X-Fidel-Timestamp'] = tsHeader;
    const url = o.path ? rx.localUrl.replace('/webhooks/card-linked', o.path) : rx.localUrl;
    const res = await fetch(url, { method: 'POST', headers, body: raw });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const count = (reason: string) => notices.refusals().find((r) => r.reason === reason)!.count;
  const stored = () => (store.db.prepare('SELECT COUNT(*) AS n FROM offer_notices').get() as { n: number }).n;

  it('stores a correctly signed notice and writes its log entry in the same transaction', async () => {
    const raw = JSON.stringify(purchase());
    const r = await post(raw);
    expect(r).toEqual({ status: 200, body: { received: true } });
    const { notices: list } = notices.list({ limit: 10 });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      transactionId: 'tx-0001',
      type: 'auth',
      amount: { cents: 2350, currency: 'EUR' },
      cashback: { cents: 235, currency: 'EUR' },
      offerId: 'offer_demo_10pct',
      card: { id: 'card-1', scheme: 'visa', last4: '4001' },
      original: null,
    });
    const entry = store.journal.list({ limit: 1 })[0]!;
    expect(entry).toMatchObject({
      seq: list[0]!.logSeq,
      kind: 'offer.auth',
      actor: 'card-platform',
      amountCents: 2350,
      currency: 'EUR',
      memberMasked: '••••••••4001',
      outcome: 'received',
    });
    expect(entry.detail).toMatchObject({ transactionId: 'tx-0001', offerId: 'offer_demo_10pct', cashbackCents: 235, scheme: 'visa', last4: '4001' });
    expect(store.journal.verify().intact).toBe(true);
  });

  it('refuses a tampered body (signature made over the original)', async () => {
    const raw = JSON.stringify(purchase());
    const sig = sign(SECRET, raw, PUBLIC_URL, String(now));
    const tampered = raw.replace('23.5', '235');
    expect(await post(tampered, { signature: sig })).toEqual({ status: 401, body: { refused: 'bad-signature' } });
    expect(stored()).toBe(0);
    expect(count('bad-signature')).toBe(1);
  });

  it('refuses a signature over another URL (the local one instead of the registered one)', async () => {
    const raw = JSON.stringify(purchase());
    expect((await post(raw, { url: rx.localUrl })).status).toBe(401);
    expect((await post(raw, { url: PUBLIC_URL + '/' })).status).toBe(401);
    expect(count('bad-signature')).toBe(2);
    expect(stored()).toBe(0);
  });

  it('refuses a wrong secret', async () => {
    expect((await post(JSON.stringify(purchase()), { secret: 'wh_test_someone_else' })).body).toEqual({ refused: 'bad-signature' });
    expect(stored()).toBe(0);
  });

  it('refuses a correctly signed notice whose timestamp is older than 5 minutes, or as far in the future', async () => {
    const raw = JSON.stringify(purchase());
    expect(await post(raw, { ts: String(now - 300_001) })).toEqual({ status: 400, body: { refused: 'stale-timestamp' } });
    expect((await post(raw, { ts: String(now + 300_001) })).body).toEqual({ refused: 'stale-timestamp' });
    expect(count('stale-timestamp')).toBe(2);
    expect(stored()).toBe(0);
    // Just inside the window is fine.
    expect((await post(raw, { ts: String(now - 299_000) })).status).toBe(200);
  });

  it('refuses a notice without its signature or timestamp header, or with a timestamp in seconds', async () => {
    const raw = JSON.stringify(purchase());
    expect((await post(raw, { signature: null })).status).toBe(401);
    expect((await post(raw, { timestamp: null })).status).toBe(401);
    const seconds = String(Math.floor(now / 1000));
    expect((await post(raw, { ts: seconds })).body).toEqual({ refused: 'stale-timestamp' });
    expect(count('bad-signature')).toBe(2);
    expect(stored()).toBe(0);
  });

  it('stores a redelivered notice once and answers 200 each time, counting the duplicates', async () => {
    const raw = JSON.stringify(purchase());
    expect((await post(raw)).status).toBe(200);
    now += 1500; // the platform's next attempt: same body, fresh timestamp and signature
    expect(await post(raw)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect((await post(raw)).status).toBe(200);
    expect(stored()).toBe(1);
    expect(store.journal.list({ limit: 50 }).filter((e) => e.kind === 'offer.auth')).toHaveLength(1);
    expect(count('duplicate')).toBe(2);
  });

  it('keeps a clearing of the same transaction apart from its authorisation, and counts the purchase once', async () => {
    await post(JSON.stringify(purchase()));
    await post(JSON.stringify(purchase({ cleared: true })));
    expect(stored()).toBe(2);
    expect(notices.list({ limit: 10 }).notices.map((n) => n.type)).toEqual(['clearing', 'auth']);
    expect(notices.totals('EUR')).toMatchObject({ purchases: 1, purchaseCents: 2350, cashbackCents: 235, refunds: 0 });
  });

  it('links a refund (negative amount) to its original, also when the refund arrives first', async () => {
    const refund = purchase({ id: 'tx-0002', amount: -10, cleared: true, offer: { id: 'offer_demo_10pct', cashback: -1 }, originalTransactionId: 'tx-0001' });
    expect((await post(JSON.stringify(refund))).status).toBe(200);
    let view = notices.list({ limit: 10 }).notices[0]!;
    expect(view).toMatchObject({ type: 'refund', amount: { cents: -1000 }, cashback: { cents: -100 }, originalTransactionId: 'tx-0001', original: null });
    expect(store.journal.list({ limit: 1 })[0]!.detail).toMatchObject({ originalTransactionId: 'tx-0001', originalFound: false });

    await post(JSON.stringify(purchase()));
    const list = notices.list({ limit: 10 }).notices;
    view = list.find((n) => n.type === 'refund')!;
    const original = list.find((n) => n.type === 'auth')!;
    expect(view.original).toEqual({ id: original.id, amount: { cents: 2350, currency: 'EUR' }, transactionAt: original.transactionAt });
    expect(notices.totals('EUR')).toMatchObject({ purchases: 1, purchaseCents: 2350, refunds: 1, refundCents: 1000, refundCashbackCents: 100 });

    // A second refund notice after the purchase: linked at once, and in the log too.
    await post(JSON.stringify({ ...refund, id: 'tx-0003', amount: -5, offer: { id: 'offer_demo_10pct', cashback: -0.5 } }));
    expect(store.journal.list({ limit: 1 })[0]!).toMatchObject({ kind: 'offer.refund', amountCents: -500 });
    expect(store.journal.list({ limit: 1 })[0]!.detail).toMatchObject({ originalTransactionId: 'tx-0001', originalFound: true });
  });

  it('refuses a correctly signed body it cannot read as malformed', async () => {
    for (const raw of [
      'not json',
      '[]',
      JSON.stringify(purchase({ amount: '23.50' })),
      JSON.stringify(purchase({ id: '../x' })),
      JSON.stringify(purchase({ card: { lastNumbers: '4444000000004001' } })),
    ]) {
      expect((await post(raw)).body).toEqual({ refused: 'malformed' });
    }
    expect(count('malformed')).toBe(5);
    expect(stored()).toBe(0);
  });

  it('refuses a body over the size limit, and answers 404 / 405 elsewhere without counting', async () => {
    const big = JSON.stringify(purchase({ pad: 'x'.repeat(20_000) }));
    expect((await post(big)).status).toBe(400);
    expect(count('malformed')).toBe(1);
    expect((await post(JSON.stringify(purchase()), { path: '/other' })).status).toBe(404);
    expect((await fetch(rx.localUrl)).status).toBe(405);
    expect(notices.refusals().reduce((s, r) => s + r.count, 0)).toBe(1);
  });

  it('lists notices newest first in pages and by purchase-time range', async () => {
    for (let i = 1; i <= 5; i++) {
      await post(JSON.stringify(purchase({ id: `tx-p${i}`, datetime: new Date(Date.UTC(2025, 2, i, 12)).toISOString() })));
    }
    const first = notices.list({ limit: 2 });
    expect(first.notices.map((n) => n.transactionId)).toEqual(['tx-p5', 'tx-p4']);
    const second = notices.list({ limit: 2, beforeId: first.nextBeforeId! });
    expect(second.notices.map((n) => n.transactionId)).toEqual(['tx-p3', 'tx-p2']);
    expect(notices.list({ limit: 10, from: '2025-03-02T00:00:00.000Z', to: '2025-03-04T00:00:00.000Z' }).notices.map((n) => n.transactionId)).toEqual([
      'tx-p3',
      'tx-p2',
    ]);
    expect(notices.totals('EUR', { from: '2025-03-02T00:00:00.000Z', to: '2025-03-04T00:00:00.000Z' }).purchases).toBe(2);
  });
});
