/**
 * The UiTPAS adapter's rewards desk: the organizer's points rewards, created
 * with `POST /rewards` and edited with `PUT /rewards/{rewardId}` (the
 * official document, ../shared/specs/uitpas.json; every request is validated
 * against it in sandbox/uitpas/conformance.test.ts), and the discount each
 * gives at this counter (the terminal's own figure: UiTPAS has no euro value).
 *
 *   list     GET /rewards?organizerId=&type=POINTS&subset=ALL (every status, all pages)
 *   create   POST /rewards {type: POINTS, the desk's fields, organizers: [{id: organizerId}]}
 *   edit     GET /rewards/{id}, then PUT /rewards/{id} with every writable field UiTPAS had
 *            and the desk's fields on top (the document: GET first, change, PUT; a PUT
 *            overwrites, so a field left out would be erased)
 *
 * Both writes need REWARDS_WRITE for the organizer (the document's words); a
 * 403 is reported naming that permission and the organizer. A write whose
 * answer is lost may have been applied: the error says so (the manager looks
 * at the list before trying again; nothing is re-sent by itself).
 */
import { PosError } from '../../shared/errors.js';
import type { OrganizerRewardView, RewardDraft } from '../../shared/contract/reward-desk.js';
import type { HttpJsonResponse, HttpMethod } from './http.js';
import { deskRewardSchema, pagedSchema, REWARD_WRITABLE_FIELDS } from './uitpas-wire.js';

type Call = (method: HttpMethod, path: string, query?: Array<[string, string]>, body?: unknown) => Promise<HttpJsonResponse>;

export interface UitpasRewardDesk {
  readonly organizerId: string;
  readonly currency: string;
  list(): Promise<OrganizerRewardView[]>;
  create(draft: RewardDraft): Promise<OrganizerRewardView>;
  update(rewardId: string, draft: RewardDraft): Promise<OrganizerRewardView>;
  /** Sets (cents) or removes (null) this counter's discount for a reward; the counter uses it from the next look-up. */
  setDiscount(rewardId: string, cents: number | null): void;
}

const PAGE = 100;
const MAX_PAGES = 10;
/** The permission the document names for both writes. */
export const REWARDS_WRITE = 'REWARDS_WRITE';

/** The desk's fields as the document's Reward properties (optional ones absent when the draft leaves them out). */
export function draftFields(d: RewardDraft): Record<string, unknown> {
  return {
    title: d.title,
    promotionalDescription: d.promotionalDescription,
    points: d.points,
    categories: [...d.categories],
    moreInfoURL: d.moreInfoURL,
    publicationPeriod: { ...d.publicationPeriod },
    ...(d.redeemPeriod ? { redeemPeriod: { ...d.redeemPeriod } } : {}),
    ...(d.maxAvailableUnits !== undefined ? { maxAvailableUnits: d.maxAvailableUnits } : {}),
    ...(d.perMemberLimit ? { redeemConstraint: { volume: d.perMemberLimit.volume, period: d.perMemberLimit.period } } : {}),
    ...(d.practicalInfo ? { practicalInfo: d.practicalInfo } : {}),
  };
}

/** The optional desk fields: cleared on the form means removed at UiTPAS. */
const DESK_OPTIONAL = ['redeemPeriod', 'maxAvailableUnits', 'redeemConstraint', 'practicalInfo'] as const;

/** The body of an edit: what UiTPAS had (writable fields only), the desk's fields over it. */
export function editBody(current: Record<string, unknown>, d: RewardDraft): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const k of REWARD_WRITABLE_FIELDS) if (current[k] !== undefined && current[k] !== null) kept[k] = current[k];
  for (const k of DESK_OPTIONAL) delete kept[k];
  return { ...kept, ...draftFields(d), type: 'POINTS' };
}

export function toView(body: unknown, discounts: Readonly<Record<string, number>>): OrganizerRewardView {
  const r = deskRewardSchema.safeParse(body);
  if (!r.success) throw new PosError('BACKEND_BAD_RESPONSE', 'UiTPAS sent a reward the terminal cannot read.');
  const b = r.data;
  const period = (p: { begin: string; end?: string | undefined } | null | undefined) =>
    p ? { begin: p.begin, ...(p.end !== undefined ? { end: p.end } : {}) } : null;
  return {
    id: b.id,
    title: b.title,
    promotionalDescription: b.promotionalDescription ?? null,
    points: b.points ?? null,
    categories: (b.categories ?? []).filter((c): c is string => typeof c === 'string'),
    moreInfoURL: b.moreInfoURL ?? null,
    publicationPeriod: period(b.publicationPeriod),
    redeemPeriod: period(b.redeemPeriod),
    maxAvailableUnits: b.maxAvailableUnits ?? null,
    perMemberLimit: b.redeemConstraint ? { volume: b.redeemConstraint.volume, period: b.redeemConstraint.period } : null,
    practicalInfo: b.practicalInfo ?? null,
    status: b.status ?? null,
    unitsTaken: b.unitsTaken ?? null,
    discountCents: Object.prototype.hasOwnProperty.call(discounts, b.id) ? discounts[b.id]! : null,
  };
}

/** A refusal of a write in the manager's words: the permission UiTPAS names, the field it refused. */
function deskError(e: unknown, organizerId: string, what: 'create' | 'edit'): unknown {
  if (!(e instanceof PosError)) return e;
  const details = e.details ?? {};
  if (e.code === 'FORBIDDEN') {
    return new PosError(
      'FORBIDDEN',
      `UiTPAS refused to ${what} the reward: the terminal's client lacks ${REWARDS_WRITE} for organizer ${organizerId}. Ask publiq to grant ${REWARDS_WRITE} for this organizer.`,
      { details: { ...details, permission: REWARDS_WRITE, organizerId } },
    );
  }
  const first = Array.isArray(details.schemaErrors) ? (details.schemaErrors[0] as { jsonPointer?: unknown; error?: unknown } | undefined) : undefined;
  if (first && typeof first.jsonPointer === 'string') {
    return new PosError(e.code, `${e.message} ${first.jsonPointer}: ${String(first.error ?? 'not accepted')}`, { endUserMessage: e.endUserMessage, details });
  }
  if (details.notApplied !== true && (e.code === 'BACKEND_TIMEOUT' || e.code === 'BACKEND_UNAVAILABLE' || e.code === 'BACKEND_BAD_RESPONSE')) {
    return new PosError(e.code, `${e.message} UiTPAS may have made the change although its answer was lost: look at the list before trying again.`, {
      details,
    });
  }
  return e;
}

export function createRewardDesk(deps: { call: Call; organizerId: string; currency: string; discounts: Record<string, number> }): UitpasRewardDesk {
  const { call, organizerId, discounts } = deps;
  const enc = encodeURIComponent;
  return {
    organizerId,
    currency: deps.currency,

    async list() {
      const out: OrganizerRewardView[] = [];
      for (let n = 0; n < MAX_PAGES; n++) {
        const res = await call('GET', '/rewards', [
          ['organizerId', organizerId],
          ['type', 'POINTS'],
          ['subset', 'ALL'],
          ['start', String(n * PAGE)],
          ['limit', String(PAGE)],
        ]);
        const page = pagedSchema.safeParse(res.body);
        if (!page.success) throw new PosError('BACKEND_BAD_RESPONSE', 'UiTPAS sent a list of rewards the terminal cannot read.');
        for (const m of page.data.member) out.push(toView(m, discounts));
        if (out.length >= (page.data.totalItems ?? out.length) || page.data.member.length < PAGE) return out;
      }
      return out;
    },

    async create(draft) {
      try {
        const res = await call('POST', '/rewards', undefined, { ...draftFields(draft), type: 'POINTS', organizers: [{ id: organizerId }] });
        return toView(res.body, discounts);
      } catch (e) {
        throw deskError(e, organizerId, 'create');
      }
    },

    async update(rewardId, draft) {
      // A failed read changes nothing: its error stands as it is.
      const current = (await call('GET', `/rewards/${enc(rewardId)}`)).body;
      if (typeof current !== 'object' || current === null) throw new PosError('BACKEND_BAD_RESPONSE', 'UiTPAS sent a reward the terminal cannot read.');
      if ((current as { type?: unknown }).type !== 'POINTS') {
        throw new PosError('INVALID_INPUT', 'Only points rewards are edited here; change a welcome reward in UiTPAS itself.', {
          details: { notApplied: true },
        });
      }
      try {
        const res = await call('PUT', `/rewards/${enc(rewardId)}`, undefined, editBody(current as Record<string, unknown>, draft));
        return toView(res.body, discounts);
      } catch (e) {
        throw deskError(e, organizerId, 'edit');
      }
    },

    setDiscount(rewardId, cents) {
      if (cents === null) delete discounts[rewardId];
      else discounts[rewardId] = cents;
    },
  };
}
