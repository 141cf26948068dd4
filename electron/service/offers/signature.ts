/**
 * The platform's webhook signature (PROVIDERS.md section 5, Fidel's scheme):
 *
 *   content   = rawBody + registeredWebhookUrl + X-Fidel-Timestamp
 *   signature = base64(HMAC_SHA256(secret, base64(HMAC_SHA256(secret, content))))
 *
 * `rawBody` is the request body exactly as received (bytes, never re-encoded
 * JSON), `registeredWebhookUrl` the URL as registered with the platform (the
 * public HTTPS address in a real deployment, not the loopback one this
 * machine listens on), and the timestamp the header's text as sent.
 *
 * Verification compares in constant time: each candidate secret's expected
 * signature against the received one with timingSafeEqual on equal-length
 * buffers, every secret tried (no early exit), so neither the time nor the
 * answer tells which bytes or which secret came close.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function computeSignature(secret: string, rawBody: Buffer | string, url: string, timestamp: string): string {
  const inner = createHmac('sha256', secret).update(rawBody).update(url, 'utf8').update(timestamp, 'utf8').digest('base64');
  return createHmac('sha256', secret).update(inner, 'utf8').digest('base64');
}

/** A base64 SHA-256 HMAC is always 44 characters. */
const SIGNATURE_LENGTH = 44;

export function verifySignature(opts: { secrets: readonly string[]; rawBody: Buffer | string; url: string; timestamp: string; signature: string }): boolean {
  const received = Buffer.from(opts.signature, 'utf8');
  // Compare against a same-length buffer even when the header's length is wrong,
  // so a short or long signature costs the same work as a wrong one.
  const candidate = received.length === SIGNATURE_LENGTH ? received : Buffer.alloc(SIGNATURE_LENGTH);
  let ok = false;
  for (const secret of opts.secrets) {
    const expected = Buffer.from(computeSignature(secret, opts.rawBody, opts.url, opts.timestamp), 'utf8');
    const same = expected.length === candidate.length && timingSafeEqual(expected, candidate);
    ok = same || ok;
  }
  return ok && received.length === SIGNATURE_LENGTH && opts.secrets.length > 0;
}

/**
 * Whether the timestamp (ms since the epoch, digits only) is within
 * `toleranceMs` of now, either side: an old one is a replay, one far in the
 * future a forged or badly skewed clock.
 */
export function timestampFresh(timestamp: string, nowMs: number, toleranceMs: number): boolean {
  if (!/^\d{1,16}$/.test(timestamp)) return false;
  return Math.abs(nowMs - Number(timestamp)) <= toleranceMs;
}
