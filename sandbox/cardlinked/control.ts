/**
 * Card-linked control routes, mounted by the router at /_control/cardlinked.
 * They play the card network: a purchase, its clearing or a refund with an
 * enrolled card, each delivered as a signed webhook to every URL registered
 * for that event (webhooks.ts: up to 3 attempts, again on a non-2xx answer).
 *
 *   POST /_control/cardlinked/purchase   {cardId, amountCents, offerId?, datetime?, cleared?: false, ...delivery}
 *          -> 201 {transaction, qualification, deliveries}
 *          `transaction.auth` (or `transaction.clearing` with cleared: true) for a purchase of amountCents;
 *          the offer is `offerId` or the card's first linked offer the purchase qualifies for;
 *          a purchase that qualifies for none is sent with offer: null (qualification says why)
 *   POST /_control/cardlinked/clear      {transactionId, ...delivery}  -> `transaction.clearing` of an authorised purchase (same id)
 *   POST /_control/cardlinked/refund     {transactionId, amountCents?, ...delivery}
 *          -> `transaction.refund`: a new transaction with a negative amount (default: what is left of the
 *             purchase) and originalTransactionId naming the purchase
 *   POST /_control/cardlinked/redeliver  {transactionId, event, ...delivery}  -> the same body again, freshly signed
 *   GET  /_control/cardlinked/transactions | deliveries | cards | webhooks
 *   POST /_control/cardlinked/reset      {seedDemo?: true}
 *
 *   ...delivery: retryDelayMs? (pause between attempts), timestampOffsetMs? (added to the signing clock:
 *   simulates a late replay or a skewed clock), wait? (default true: answer after the deliveries;
 *   false: answer 202 at once and deliver in the background)
 *
 * `cards` lists what the emulator keeps of each card (id, scheme, last four):
 * tests use it to show that no card number is stored. Errors are problem+json.
 */
import { json, problem } from '../http-util.js';
import type { SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import { cardOut, type CardLinkedBackend } from './backend.js';
import { WEBHOOK_EVENTS, type ClDelivery, type ClTransaction, type WebhookEvent } from './state.js';
import { deliver } from './webhooks.js';

interface DeliveryParams {
  retryDelayMs: number;
  timestampOffsetMs: number;
  wait: boolean;
}

const MAX_AMOUNT_CENTS = 1_000_000_000;

export async function handleCardLinkedControl(cl: CardLinkedBackend, req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse | undefined> {
  const b = (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case 'GET /transactions':
      return json(200, { transactions: [...cl.state.transactions.values()] });
    case 'GET /deliveries':
      return json(200, { deliveries: cl.state.deliveries });
    case 'GET /cards':
      return json(200, { cards: [...cl.state.cards.values()].map(cardOut) });
    case 'GET /webhooks':
      return json(200, { webhooks: [...cl.state.webhooks.values()] });
    case 'POST /reset':
      cl.reset(b.seedDemo !== false);
      return json(200, { ok: true });
    case 'POST /purchase':
      return purchase(cl, b, ctx);
    case 'POST /clear':
      return clear(cl, b);
    case 'POST /refund':
      return refund(cl, b);
    case 'POST /redeliver':
      return redeliver(cl, b);
    default:
      return undefined;
  }
}

function deliveryParams(cl: CardLinkedBackend, b: Record<string, unknown>): DeliveryParams | string {
  const retryDelayMs = b.retryDelayMs ?? cl.retryDelayMs;
  if (!Number.isInteger(retryDelayMs) || (retryDelayMs as number) < 0 || (retryDelayMs as number) > 60_000) return 'retryDelayMs must be 0 to 60000.';
  const timestampOffsetMs = b.timestampOffsetMs ?? 0;
  if (!Number.isSafeInteger(timestampOffsetMs)) return 'timestampOffsetMs must be a whole number of milliseconds.';
  if (b.wait !== undefined && typeof b.wait !== 'boolean') return 'wait must be true or false.';
  return { retryDelayMs: retryDelayMs as number, timestampOffsetMs: timestampOffsetMs as number, wait: b.wait !== false };
}

function findTransaction(cl: CardLinkedBackend, b: Record<string, unknown>): ClTransaction | SandboxResponse {
  if (typeof b.transactionId !== 'string') return problem(400, 'Bad request', 'transactionId is required.');
  const t = cl.state.transactions.get(b.transactionId);
  return t ?? problem(404, 'Not found', `No transaction ${b.transactionId}.`);
}

async function purchase(cl: CardLinkedBackend, b: Record<string, unknown>, ctx: SandboxContext): Promise<SandboxResponse> {
  const params = deliveryParams(cl, b);
  if (typeof params === 'string') return problem(400, 'Bad request', params);
  if (typeof b.cardId !== 'string') return problem(400, 'Bad request', 'cardId is required.');
  const card = cl.state.cards.get(b.cardId);
  if (!card) return problem(404, 'Not found', `No card ${b.cardId}.`);
  if (!Number.isSafeInteger(b.amountCents) || (b.amountCents as number) <= 0 || (b.amountCents as number) > MAX_AMOUNT_CENTS) {
    return problem(400, 'Bad request', 'amountCents must be a whole number of cents above zero.');
  }
  if (b.offerId !== undefined && typeof b.offerId !== 'string') return problem(400, 'Bad request', 'offerId must be a string.');
  if (cl.state.linksOf(card.id).length === 0)
    return problem(409, 'Conflict', 'The card is not enrolled in any offer: the platform would not see this purchase.');
  let at = ctx.now();
  if (b.datetime !== undefined) {
    if (typeof b.datetime !== 'string' || Number.isNaN(Date.parse(b.datetime))) return problem(400, 'Bad request', 'datetime must be an ISO date.');
    at = Date.parse(b.datetime);
  }
  const t = cl.state.purchase(card, b.amountCents as number, at, b.offerId as string | undefined);
  let event: WebhookEvent = 'transaction.auth';
  if (b.cleared === true) {
    cl.state.clear(t);
    event = 'transaction.clearing';
  }
  return notify(cl, event, t, params, { qualification: t.qualification });
}

async function clear(cl: CardLinkedBackend, b: Record<string, unknown>): Promise<SandboxResponse> {
  const params = deliveryParams(cl, b);
  if (typeof params === 'string') return problem(400, 'Bad request', params);
  const t = findTransaction(cl, b);
  if ('status' in t) return t;
  if (t.amountCents < 0) return problem(409, 'Conflict', 'A refund is not cleared separately.');
  if (t.cleared) return problem(409, 'Conflict', 'The transaction is cleared already.');
  return notify(cl, 'transaction.clearing', cl.state.clear(t), params);
}

async function refund(cl: CardLinkedBackend, b: Record<string, unknown>): Promise<SandboxResponse> {
  const params = deliveryParams(cl, b);
  if (typeof params === 'string') return problem(400, 'Bad request', params);
  const original = findTransaction(cl, b);
  if ('status' in original) return original;
  if (original.amountCents <= 0) return problem(409, 'Conflict', 'Only a purchase can be refunded.');
  const left = original.amountCents - original.refundedCents;
  const amount = b.amountCents ?? left;
  if (!Number.isSafeInteger(amount) || (amount as number) <= 0) return problem(400, 'Bad request', 'amountCents must be a whole number of cents above zero.');
  if ((amount as number) > left) return problem(409, 'Conflict', `Only ${left} cents of this purchase are left to refund.`);
  return notify(cl, 'transaction.refund', cl.state.refund(original, amount as number), params);
}

async function redeliver(cl: CardLinkedBackend, b: Record<string, unknown>): Promise<SandboxResponse> {
  const params = deliveryParams(cl, b);
  if (typeof params === 'string') return problem(400, 'Bad request', params);
  const t = findTransaction(cl, b);
  if ('status' in t) return t;
  if (typeof b.event !== 'string' || !(WEBHOOK_EVENTS as readonly string[]).includes(b.event))
    return problem(400, 'Bad request', `event must be one of ${WEBHOOK_EVENTS.join(', ')}.`);
  if (!cl.state.noticeBodies.has(`${b.event} ${t.id}`)) return problem(409, 'Conflict', `No ${b.event} was sent for this transaction.`);
  return notify(cl, b.event as WebhookEvent, t, params);
}

/** Sends `event` for `t` to every webhook registered for it; the body is fixed the first time it is sent. */
async function notify(
  cl: CardLinkedBackend,
  event: WebhookEvent,
  t: ClTransaction,
  p: DeliveryParams,
  extra: Record<string, unknown> = {},
): Promise<SandboxResponse> {
  const key = `${event} ${t.id}`;
  let rawBody = cl.state.noticeBodies.get(key);
  if (rawBody === undefined) {
    rawBody = JSON.stringify(cl.transactionBody(t));
    cl.state.noticeBodies.set(key, rawBody);
  }
  const hooks = cl.state.webhooksFor(event);
  const body = JSON.parse(rawBody) as unknown;
  const run = Promise.all(
    hooks.map(async (hook): Promise<ClDelivery> => {
      const r = await deliver(hook, rawBody, {
        retryDelayMs: p.retryDelayMs,
        attemptTimeoutMs: cl.attemptTimeoutMs,
        now: cl.now,
        timestampOffsetMs: p.timestampOffsetMs,
        sleep: unrefSleep,
      });
      return cl.state.recordDelivery({ webhookId: hook.id, event, url: hook.url, transactionId: t.id, attempts: r.attempts, delivered: r.delivered });
    }),
  );
  if (!p.wait) {
    run.catch(() => undefined);
    return json(202, { event, transaction: body, ...extra, webhooks: hooks.length });
  }
  const deliveries = await run;
  return json(201, { event, transaction: body, ...extra, deliveries });
}

/** A pause that does not keep the process alive (a sandbox closing mid-retry must not hang a test run). */
function unrefSleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });
}
