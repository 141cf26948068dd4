/**
 * The terminal's API contract: every method the renderer may call, with the
 * schema of its input and the type of its result. Both transports (Electron
 * IPC and the loopback web host) expose exactly these methods and validate
 * every input with these schemas before the service sees it.
 *
 * Methods are grouped by area in shared/contract/*.ts. To add a method: add
 * its schema and result type to its area's file (a new area is spread into
 * `methods` and extended by `MethodResults` here), and implement it in the
 * service's handlers for that area (the compiler then checks both transports,
 * the dispatcher and the renderer's client).
 */
import type { z } from 'zod';
import type { TerminalStatus, SaleView } from './domain.js';
import { PosError, type ErrorInfo } from './errors.js';
import { checkoutMethods, type CheckoutResults } from './contract/checkout.js';
import { managerMethods, type ManagerResults } from './contract/manager.js';
import { offersMethods, type OffersResults } from './contract/offers.js';
import { goLiveMethods, type GoLiveResults } from './contract/golive.js';
import { shippingMethods, type ShippingResults } from './contract/shipping.js';
import { diagnosticsMethods, type DiagnosticsResults } from './contract/diagnostics.js';
import { receiptsMethods, type ReceiptsResults } from './contract/receipts.js';
import { rewardDeskMethods, type RewardDeskResults } from './contract/reward-desk.js';
import { protoKeyPath } from './safe-text.js';
import type { MethodName } from './contract/method-names.js';

export { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannelFor, type MethodName } from './contract/method-names.js';

/**
 * Every method's input schema, by area. Each area's file holds its schemas
 * and result types; the names are listed once more, schema-free, in
 * contract/method-names.ts (for the preload): `satisfies` refuses a name
 * without a schema, NoExtraMethods a schema without a name.
 */
export const methods = {
  ...checkoutMethods,
  ...managerMethods,
  ...offersMethods,
  ...goLiveMethods,
  ...shippingMethods,
  ...diagnosticsMethods,
  ...receiptsMethods,
  ...rewardDeskMethods,
} as const satisfies Record<MethodName, z.ZodType>;

/** True only when every schema's key is in METHOD_NAMES (a compile error otherwise). */
const noExtraMethods: [Exclude<keyof typeof methods, MethodName>] extends [never] ? true : never = true;
void noExtraMethods;
export type MethodInput<M extends MethodName> = z.infer<(typeof methods)[M]>;

export interface MethodResults
  extends CheckoutResults, ManagerResults, OffersResults, GoLiveResults, ShippingResults, DiagnosticsResults, ReceiptsResults, RewardDeskResults {}

export type MethodResult<M extends MethodName> = MethodResults[M];

/**
 * Methods anyone at the terminal may call before signing in: the status bar,
 * the sign-in screen and the first start (creating the first manager).
 * Every other method needs a signed-in person; the service checks roles.
 */
export const PUBLIC_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'getStatus',
  'getPreferences',
  'listPeople',
  'whoAmI',
  'signIn',
  'signOut',
  'createFirstManager',
  'recoverManager',
  'reportClientError',
]);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

/** What every transport returns for a call: never throws across the boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Pushed from the service to every window: status changes and sale updates. */
export type TerminalEvent =
  | { type: 'status'; status: TerminalStatus }
  | { type: 'sale'; sale: SaleView }
  /** The terminal service's own process died and is restarting ('restarting'), or is back ('running'): electron/terminal-process/. */
  | { type: 'service'; state: 'restarting' | 'running' };

/**
 * Validates a call's method and input. The single gate both transports use.
 * Throws PosError('INVALID_INPUT') naming the first bad field.
 */
export function validateCall<M extends MethodName>(method: unknown, input: unknown): { method: M; input: MethodInput<M> } {
  if (!isMethodName(method)) throw new PosError('INVALID_INPUT', `Unknown method: ${String(method).slice(0, 60)}`);
  const proto = protoKeyPath(input);
  if (proto) throw new PosError('INVALID_INPUT', `Invalid ${proto}: "__proto__" is not a usable key`, { details: { field: proto } });
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
