/**
 * Every White Label field name, path and code the adapter relies on, in one
 * place. PROVIDERS.md marks the exact event and wallet JSON as unconfirmed:
 * when the real program's shapes are known, this is the only file to change.
 */
import { PosError } from '../../shared/errors.js';
import { pointsFromBackend, type PointsMilli } from '../../shared/money.js';

export const WL_AUDIENCE = 'wlloyalty.net';
export const WL_API_KEY_HEADER = 'X-Api-Key';

/** The program's custom event types (defined by the program owner, with their reactors). */
export const WL_EVENT = {
  redeem: 'REDEEMED_POINTS', // reactor adds $.points * -1
  refund: 'POINTS_REFUND', // reactor adds $.points
} as const;
export type WlEventKind = keyof typeof WL_EVENT;

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

export function parseWallet(body: unknown): WlWallet {
  const b = body as { userId?: unknown; pointsBalance?: unknown } | undefined;
  if (typeof b?.userId !== 'string' || b.userId === '') {
    throw new PosError('BACKEND_BAD_RESPONSE', 'The wallet the loyalty program sent has no user id.');
  }
  return { userId: b.userId, balanceMilli: pointsFromBackend(b.pointsBalance) };
}

export interface WlEventFacts {
  /** Whole points (the program's points have no decimals). */
  points: number;
  transactionId: string;
  storeId: string;
  terminalId: string;
}

/** The event the POS reports. Deliberately nothing about the person: ids and points only. */
export function buildEvent(kind: WlEventKind, userId: string, f: WlEventFacts): Record<string, unknown> {
  return {
    type: WL_EVENT[kind],
    userId,
    payload: { points: f.points, transactionId: f.transactionId, storeId: f.storeId, terminalId: f.terminalId },
  };
}

/** Checks the engine's echo is the event we sent; returns the engine's event id. */
export function parseEventEcho(body: unknown, kind: WlEventKind, f: WlEventFacts): { eventId: string } {
  const b = body as { id?: unknown; type?: unknown; payload?: { points?: unknown; transactionId?: unknown } } | undefined;
  if (typeof b?.id !== 'string' || b.type !== WL_EVENT[kind] || b.payload?.points !== f.points || b.payload?.transactionId !== f.transactionId) {
    throw new PosError('BACKEND_BAD_RESPONSE', 'The loyalty program confirmed something other than the event the terminal sent.');
  }
  return { eventId: b.id };
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
