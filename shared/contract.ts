/**
 * The terminal's API contract: every method the renderer may call, with the
 * schema of its input and the type of its result. Both transports (Electron
 * IPC and the loopback web host) expose exactly these methods and validate
 * every input with these schemas before the service sees it.
 *
 * To add a method: add its schema to `methods`, its result to
 * `MethodResults`, and implement it on the TerminalService (the compiler
 * then checks both transports and the renderer's client).
 */
import { z } from 'zod';
import type { LogEntryView, SaleView, TerminalStatus } from './domain.js';
import { PosError, type ErrorInfo } from './errors.js';
import { MAX_CENTS, MAX_POINTS_MILLI } from './money.js';

const saleId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not a sale id');
const cents = z.number().int('amounts are whole cents').min(0, 'amounts cannot be negative').max(MAX_CENTS, 'amount too large');
const pointsMilli = z.number().int('points are whole thousandths').min(0, 'points cannot be negative').max(MAX_POINTS_MILLI, 'too many points');

export const methods = {
  getStatus: z.object({}).strict(),
  startSale: z.object({ basketCents: cents }).strict(),
  setBasket: z.object({ saleId, basketCents: cents }).strict(),
  identifyMember: z
    .object({
      saleId,
      input: z.string().max(512, 'scan too long'),
      source: z.enum(['scanner', 'keyboard', 'camera']),
    })
    .strict(),
  quote: z.object({ saleId, pointsMilli }).strict(),
  /** The member confirmed exactly this figure; the service re-checks it. */
  confirmRedemption: z.object({ saleId, pointsMilli }).strict(),
  retryRedemption: z.object({ saleId }).strict(),
  markPaid: z.object({ saleId }).strict(),
  cancelSale: z.object({ saleId }).strict(),
  getSale: z.object({ saleId }).strict(),
  listLog: z
    .object({
      limit: z.number().int().min(1).max(500),
      beforeSeq: z.number().int().min(1).optional(),
      saleId: saleId.optional(),
    })
    .strict(),
} as const;

export type MethodName = keyof typeof methods;
export type MethodInput<M extends MethodName> = z.infer<(typeof methods)[M]>;

export interface MethodResults {
  getStatus: TerminalStatus;
  startSale: SaleView;
  setBasket: SaleView;
  identifyMember: SaleView;
  quote: SaleView;
  confirmRedemption: SaleView;
  retryRedemption: SaleView;
  markPaid: SaleView;
  cancelSale: SaleView;
  getSale: SaleView;
  listLog: { entries: LogEntryView[] };
}

export type MethodResult<M extends MethodName> = MethodResults[M];

export const METHOD_NAMES = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** What every transport returns for a call: never throws across the boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Pushed from the service to every window: status changes and sale updates. */
export type TerminalEvent = { type: 'status'; status: TerminalStatus } | { type: 'sale'; sale: SaleView };

/**
 * Validates a call's method and input. The single gate both transports use.
 * Throws PosError('INVALID_INPUT') naming the first bad field.
 */
export function validateCall<M extends MethodName>(method: unknown, input: unknown): { method: M; input: MethodInput<M> } {
  if (!isMethodName(method)) throw new PosError('INVALID_INPUT', `Unknown method: ${String(method).slice(0, 60)}`);
  const parsed = methods[method].safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(input)';
    throw new PosError('INVALID_INPUT', `Invalid ${field}: ${issue?.message ?? 'bad value'}`, { details: { field } });
  }
  return { method: method as M, input: parsed.data as MethodInput<M> };
}

/** The typed client the renderer uses; implemented over IPC or HTTP. */
export type TerminalApi = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<MethodResult<M>>;
};

/**
 * What the Electron preload exposes on `window.pos`: exactly the contract's
 * methods (each answering an Envelope), plus the event subscription.
 * IPC channels: `pos:<method>` per method (ipcMain.handle), `pos:event` for pushes.
 */
export type PosBridge = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<Envelope<MethodResult<M>>>;
} & {
  onEvent(listener: (event: TerminalEvent) => void): () => void;
};

export const IPC_EVENT_CHANNEL = 'pos:event';
export const ipcChannelFor = (method: MethodName): string => `pos:${method}`;
