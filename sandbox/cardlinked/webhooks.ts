/**
 * How the card-linked platform notifies a registered URL, done the way the
 * real one does (PROVIDERS.md section 5):
 *
 *   content   = rawBody + registeredWebhookUrl + X-Fidel-Timestamp   (ms since the epoch, as text)
 *   signature = base64(HMAC_SHA256(secret, base64(HMAC_SHA256(secret, content))))
 *   headers     X-Fidel-Signature: <signature>, X-Fidel-Timestamp: <ms>, Content-Type: application/json
 *
 * A delivery is tried up to 3 times: again after a connection failure, a
 * timeout or any non-2xx answer. Every attempt is signed afresh with the
 * time it is sent; the body stays byte-for-byte the same, so a receiver that
 * got an earlier attempt sees the same transaction id again (redelivery is
 * normal and must be idempotent).
 *
 * This file deliberately does not import the terminal's verification code:
 * the terminal's tests check its receiver against this signer and against
 * vectors of their own.
 */
import { createHmac } from 'node:crypto';
import type { ClDeliveryAttempt, ClWebhook } from './state.js';

const SIGNATURE_HEADER = 'X-Fidel-Signature';
const TIMESTAMP_HEADER = 'X-Fidel-Timestamp';
export const MAX_ATTEMPTS = 3;

export function signNotice(secret: string, rawBody: string, url: string, timestampMs: string): string {
  const inner = createHmac('sha256', secret)
    .update(rawBody + url + timestampMs)
    .digest('base64');
  return createHmac('sha256', secret).update(inner).digest('base64');
}

export interface DeliveryOptions {
  /** Pause between attempts. */
  retryDelayMs: number;
  /** How long one attempt waits for the receiver's answer. */
  attemptTimeoutMs: number;
  /** The clock the timestamp header is read from. */
  now: () => number;
  /** Added to the clock for the timestamp header (a skewed or replayed delivery, in tests). */
  timestampOffsetMs?: number;
  /** Cancels pending pauses when the sandbox shuts down. */
  sleep: (ms: number) => Promise<void>;
}

export async function deliver(hook: ClWebhook, rawBody: string, opts: DeliveryOptions): Promise<{ attempts: ClDeliveryAttempt[]; delivered: boolean }> {
  const attempts: ClDeliveryAttempt[] = [];
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    if (n > 1) await opts.sleep(opts.retryDelayMs);
    const sentAt = opts.now();
    const timestamp = String(sentAt + (opts.timestampOffsetMs ?? 0));
    const at = new Date(sentAt).toISOString();
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signNotice(hook.secretKey, rawBody, hook.url, timestamp),
          [TIMESTAMP_HEADER]: timestamp,
        },
        body: rawBody,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.attemptTimeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      attempts.push({ at, status: res.status });
      if (res.status >= 200 && res.status < 300) return { attempts, delivered: true };
    } catch (e) {
      attempts.push({ at, error: describeFailure(e) });
    }
  }
  return { attempts, delivered: false };
}

function describeFailure(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'timeout';
  return e instanceof Error ? e.name : 'error';
}
