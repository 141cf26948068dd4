/**
 * Every White Label field name, path and code the adapter relies on, in one
 * place, and the zod schemas its answers are read with. White Label's public
 * documentation does not give the exact event and wallet JSON, so the reading is
 * tolerant: the wallet's balance and user id are looked for under each
 * plausible name, the event echo is accepted as long as nothing in it
 * contradicts what was sent. The event type names are the program owner's
 * choice: connection settings (defaults in WL_EVENT).
 */
import { z } from 'zod';
import { PosError } from '../../shared/errors.js';
import { pointsFromBackend, type PointsMilli } from '../../shared/money.js';

export const WL_AUDIENCE = 'wlloyalty.net';
export const WL_API_KEY_HEADER = 'X-Api-Key';

/** The program's custom event types: defaults; the program owner names them (connection settings redeemEventType / refundEventType). */
export const WL_EVENT = {
  redeem: 'REDEEMED_POINTS', // reactor adds $.points * -1
  refund: 'POINTS_REFUND', // reactor adds $.points
} as const;
export type WlEventKind = keyof typeof WL_EVENT;
export type WlEventTypes = Readonly<Record<WlEventKind, string>>;

export const wlPaths = {
  wallet: (userId: string) => `/users/${encodeURIComponent(userId)}/wallet`,
  events: '/events',
  /** A cheap authenticated read for probe(). */
  eventTypes: '/event-types',
};

export function wlTokenRequestBody(clientId: string, clientSecret: string): Record<string, string> {
  return { client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', audience: WL_AUDIENCE };
}

export interface WlWallet {
  userId: string;
  balanceMilli: PointsMilli;
}

const figure = z.union([z.number(), z.string()]);
const idText = z.union([z.string().min(1), z.number()]).transform(String);

/** The wallet, under each plausible naming: {userId, pointsBalance}, {user_id, balance}, {balance: {points}}, {points}. */
export const walletSchema = z
  .object({
    userId: idText.optional(),
    user_id: idText.optional(),
    pointsBalance: figure.optional(),
    points_balance: figure.optional(),
    balance: z.union([figure, z.object({ points: figure })]).optional(),
    points: figure.optional(),
  })
  .transform((w) => {
    const balance = w.pointsBalance ?? w.points_balance ?? (typeof w.balance === 'object' ? w.balance.points : w.balance) ?? w.points;
    return { userId: w.userId ?? w.user_id, balance };
  });

/** The wallet read by `userId`: the id the program answers with, else the one asked for. */
export function parseWallet(body: unknown, askedFor: string): WlWallet {
  const r = walletSchema.safeParse(body);
  if (!r.success || r.data.balance === undefined) {
    throw new PosError('BACKEND_BAD_RESPONSE', 'The wallet the loyalty program sent has no points balance the terminal can read.');
  }
  return { userId: r.data.userId ?? askedFor, balanceMilli: pointsFromBackend(r.data.balance) };
}

export interface WlEventFacts {
  /** Whole points (the program's points have no decimals). */
  points: number;
  transactionId: string;
  storeId: string;
  terminalId: string;
}

/** The event the POS reports. Deliberately nothing about the person: ids and points only. */
export function buildEvent(types: WlEventTypes, kind: WlEventKind, userId: string, f: WlEventFacts): Record<string, unknown> {
  return {
    type: types[kind],
    userId,
    payload: { points: f.points, transactionId: f.transactionId, storeId: f.storeId, terminalId: f.terminalId },
  };
}

/** The echo, tolerantly: an id under any plausible name; type and payload when present. */
export const eventEchoSchema = z.object({
  id: idText.optional(),
  eventId: idText.optional(),
  event_id: idText.optional(),
  type: z.string().optional(),
  payload: z.object({ points: z.unknown().optional(), transactionId: z.unknown().optional() }).optional(),
});

/**
 * The engine's 200 answer to an event (documented: "success is 200 echoing
 * the event"; its exact fields are not). The 200 is the success; the echo is
 * checked only for what it contradicts: a different type, points or
 * transactionId means the terminal cannot tell what was applied
 * (BACKEND_BAD_RESPONSE without notApplied: the outbox reconciles), never a
 * refusal. Returns the engine's event id when it gave one.
 */
export function parseEventEcho(body: unknown, types: WlEventTypes, kind: WlEventKind, f: WlEventFacts): { eventId: string | null } {
  const r = eventEchoSchema.safeParse(body ?? {});
  const e = r.success ? r.data : {};
  const contradicts =
    (e.type !== undefined && e.type !== types[kind]) ||
    (e.payload?.points !== undefined && e.payload.points !== f.points) ||
    (e.payload?.transactionId !== undefined && e.payload.transactionId !== f.transactionId);
  if (contradicts)
    throw new PosError(
      'BACKEND_BAD_RESPONSE',
      'The loyalty program confirmed something other than the event the terminal sent: it will check before anything is sent again.',
    );
  return { eventId: e.id ?? e.eventId ?? e.event_id ?? null };
}

/** What the adapter was doing, so a 404 can be told apart. */
export type WlOperation = 'wallet' | 'event' | 'probe';

/**
 * Maps a White Label 4xx ({statusCode, error, code, message}) to the
 * terminal's codes. A 4xx is a refusal: the engine applied nothing.
 */
export function mapWhiteLabelError(status: number, body: unknown, op: WlOperation): PosError {
  const b = body as { code?: unknown; message?: unknown } | undefined;
  const backendCode = typeof b?.code === 'string' ? b.code : undefined;
  const backendMessage = typeof b?.message === 'string' ? b.message.slice(0, 300) : undefined;
  const details = { status, notApplied: true, ...(backendCode ? { backendCode } : {}), ...(backendMessage ? { backendMessage } : {}) };

  if (status === 401 || status === 403) return new PosError('BACKEND_AUTH', undefined, { details });
  if (status === 404) {
    // A 404 naming no user, or the probe's, means a wrong base URL, not a missing member.
    if (op === 'probe' || backendCode === 'NOT_FOUND') {
      return new PosError('BACKEND_BAD_RESPONSE', 'The loyalty program address in settings looks wrong (endpoint not found).', { details });
    }
    return new PosError('MEMBER_NOT_FOUND', undefined, { details });
  }
  if (backendCode === 'UNKNOWN_EVENT_TYPE') {
    return new PosError('REDEMPTION_NOT_ACTIVE', 'The loyalty program is not set up for point redemptions at the till (event type missing).', { details });
  }
  if (backendCode === 'PERSONAL_DATA_NOT_ALLOWED') {
    return new PosError('BACKEND_REFUSED', 'The loyalty program refused an event that looked like it carried personal data.', { details });
  }
  return new PosError('BACKEND_REFUSED', undefined, { details });
}
