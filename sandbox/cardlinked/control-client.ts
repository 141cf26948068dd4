/**
 * A typed client for the card-linked control routes (control.ts), for tests,
 * the e2e suite and training scripts. Plain fetch.
 */
import { controlFetch, type ControlEndpoint } from '../control-client.js';
import type { ClDelivery, ClTransaction, ClWebhook, WebhookEvent } from './state.js';

export interface DeliveryOptions {
  retryDelayMs?: number;
  timestampOffsetMs?: number;
  wait?: boolean;
}

export interface NoticeResult {
  event: WebhookEvent;
  /** The webhook body as sent. */
  transaction: { id: string; amount: number; originalTransactionId: string | null; offer: { id: string; cashback: number } | null } & Record<string, unknown>;
  qualification?: ClTransaction['qualification'];
  deliveries?: ClDelivery[];
}

export interface CardLinkedControl {
  purchase(p: { cardId: string; amountCents: number; offerId?: string; datetime?: string; cleared?: boolean } & DeliveryOptions): Promise<NoticeResult>;
  clear(p: { transactionId: string } & DeliveryOptions): Promise<NoticeResult>;
  refund(p: { transactionId: string; amountCents?: number } & DeliveryOptions): Promise<NoticeResult>;
  redeliver(p: { transactionId: string; event: WebhookEvent } & DeliveryOptions): Promise<NoticeResult>;
  transactions(): Promise<ClTransaction[]>;
  deliveries(): Promise<ClDelivery[]>;
  cards(): Promise<Array<{ id: string; scheme: string; lastNumbers: string } & Record<string, unknown>>>;
  webhooks(): Promise<ClWebhook[]>;
  reset(seedDemo?: boolean): Promise<void>;
}

export function createCardLinkedControl(sandbox: ControlEndpoint): CardLinkedControl {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await controlFetch(sandbox, method, `/cardlinked${path}`, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`card-linked control ${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    purchase: (p) => call('POST', '/purchase', p),
    clear: (p) => call('POST', '/clear', p),
    refund: (p) => call('POST', '/refund', p),
    redeliver: (p) => call('POST', '/redeliver', p),
    transactions: async () => (await call<{ transactions: ClTransaction[] }>('GET', '/transactions')).transactions,
    deliveries: async () => (await call<{ deliveries: ClDelivery[] }>('GET', '/deliveries')).deliveries,
    cards: async () => (await call<{ cards: Array<{ id: string; scheme: string; lastNumbers: string }> }>('GET', '/cards')).cards,
    webhooks: async () => (await call<{ webhooks: ClWebhook[] }>('GET', '/webhooks')).webhooks,
    reset: async (seedDemo = true) => {
      await call('POST', '/reset', { seedDemo });
    },
  };
}
