/**
 * UiTPAS errors as the real API sends them: RFC 7807 `application/problem+json`
 * documents `{type, title, status, detail?, endUserMessage?}` whose `type` is a
 * URI under https://api.publiq.be/probs/. Domain errors carry an end-user
 * message (Dutch always, here with French, German and English too); technical
 * ones (auth, body, url) carry none, as the document describes.
 *
 * The `redeem-status` reasons and their Dutch messages live here too, with the
 * problem type a redeem attempt answers for each reason.
 */
import { STATUS_CODES } from 'node:http';
import type { SandboxResponse } from '../types.js';

export const PROBLEM_BASE = 'https://api.publiq.be/probs/';

export type EndUserText = { nl: string; fr?: string; de?: string; en?: string };

interface ProblemDef {
  title: string;
  endUserMessage?: EndUserText;
}

export const PROBLEMS = {
  'auth/unauthorized': { title: 'Unauthorized' },
  'auth/forbidden': { title: 'Forbidden' },
  'body/missing': { title: 'Body missing' },
  'body/invalid-syntax': { title: 'Body has invalid syntax' },
  'body/invalid-data': { title: 'Body contains invalid data' },
  'url/not-found': { title: 'Not Found' },
  'url/query-limit-exceeded': { title: 'Query limit exceeded' },
  'uitpas/rate-limited': { title: 'Rate limited' },
  'uitpas/invalid-card-system': { title: 'Invalid card system' },
  'uitpas/reward-not-editable': {
    title: 'Reward not editable',
    endUserMessage: { nl: 'Dit voordeel werd al omgeruild: punten en start van de omruilperiode kunnen niet meer wijzigen.' },
  },
  'uitpas/organizer-not-found': {
    title: 'Organizer not found',
    // Only Dutch: the document promises `nl`, the other languages "may" be given.
    endUserMessage: { nl: 'Deze organisator is niet gekend bij UiTPAS.' },
  },
  'uitpas/invalid-uitpas-number': {
    title: 'Invalid UiTPAS number',
    endUserMessage: {
      nl: 'Dit UiTPAS-nummer is ongeldig.',
      fr: "Ce numéro UiTPAS n'est pas valide.",
      de: 'Diese UiTPAS-Nummer ist ungültig.',
      en: 'This UiTPAS number is not valid.',
    },
  },
  'uitpas/pass-not-found': {
    title: 'Pass not found',
    endUserMessage: {
      nl: 'Er is geen UiTPAS gevonden met dit nummer.',
      fr: "Aucune UiTPAS n'a été trouvée avec ce numéro.",
      de: 'Mit dieser Nummer wurde kein UiTPAS gefunden.',
      en: 'No UiTPAS was found with this number.',
    },
  },
  'uitpas/passholder-not-found': {
    title: 'Passholder not found',
    endUserMessage: {
      nl: 'Er is geen pashouder gevonden met dit UiTPAS-nummer.',
      fr: "Aucun titulaire n'a été trouvé pour ce numéro UiTPAS.",
      de: 'Zu dieser UiTPAS-Nummer wurde kein Passinhaber gefunden.',
      en: 'No passholder was found for this UiTPAS number.',
    },
  },
  'uitpas/card-blocked': {
    title: 'Card blocked',
    endUserMessage: {
      nl: 'Deze UiTPAS is geblokkeerd. Contacteer je UiTPAS-balie.',
      fr: 'Cette UiTPAS est bloquée. Contactez votre point UiTPAS.',
      de: 'Dieser UiTPAS ist gesperrt. Wende dich an deine UiTPAS-Stelle.',
      en: 'This UiTPAS is blocked. Contact your UiTPAS desk.',
    },
  },
  'uitpas/invalid-card-status': {
    title: 'Invalid card status',
    endUserMessage: {
      nl: 'Deze UiTPAS is niet actief. Contacteer je UiTPAS-balie.',
      fr: "Cette UiTPAS n'est pas active. Contactez votre point UiTPAS.",
      de: 'Dieser UiTPAS ist nicht aktiv. Wende dich an deine UiTPAS-Stelle.',
      en: 'This UiTPAS is not active. Contact your UiTPAS desk.',
    },
  },
  'uitpas/passholder-blocked': {
    title: 'Passholder blocked',
    endUserMessage: {
      nl: 'Deze pashouder is geblokkeerd. Contacteer je UiTPAS-balie.',
      fr: 'Ce titulaire est bloqué. Contactez votre point UiTPAS.',
      de: 'Dieser Passinhaber ist gesperrt. Wende dich an deine UiTPAS-Stelle.',
      en: 'This passholder is blocked. Contact your UiTPAS desk.',
    },
  },
  'uitpas/invalid-card': {
    title: 'Invalid card',
    endUserMessage: {
      nl: 'Met deze UiTPAS kan je geen voordelen omruilen.',
      fr: 'Cette UiTPAS ne permet pas d’échanger des avantages.',
      de: 'Mit diesem UiTPAS können keine Vorteile eingelöst werden.',
      en: 'This UiTPAS cannot be used to redeem rewards.',
    },
  },
  'uitpas/reward-not-found': {
    title: 'Reward not found',
    endUserMessage: {
      nl: 'Dit voordeel bestaat niet (meer).',
      fr: "Cet avantage n'existe pas (plus).",
      de: 'Diesen Vorteil gibt es nicht (mehr).',
      en: 'This reward does not exist (any more).',
    },
  },
  'uitpas/reward-period-constraint': {
    title: 'Reward not in redeem period',
    endUserMessage: {
      nl: 'Dit voordeel kan nu niet omgeruild worden: het valt buiten de omruilperiode.',
      fr: "Cet avantage ne peut pas être échangé maintenant : il est hors de sa période d'échange.",
      de: 'Dieser Vorteil kann jetzt nicht eingelöst werden: er liegt außerhalb des Einlösezeitraums.',
      en: 'This reward cannot be redeemed now: it is outside its redeem period.',
    },
  },
  'uitpas/reward-volume-constraint': {
    title: 'Reward volume reached',
    endUserMessage: {
      nl: 'Dit voordeel is uitgeput.',
      fr: 'Cet avantage est épuisé.',
      de: 'Dieser Vorteil ist vergriffen.',
      en: 'This reward has run out.',
    },
  },
  'uitpas/reward-passholder-volume-constraint': {
    title: 'Passholder volume reached',
    endUserMessage: {
      nl: 'Je hebt dit voordeel al het maximum aantal keer omgeruild.',
      fr: 'Vous avez déjà échangé cet avantage le nombre maximum de fois.',
      de: 'Du hast diesen Vorteil bereits so oft wie möglich eingelöst.',
      en: 'You have already redeemed this reward the maximum number of times.',
    },
  },
  'uitpas/reward-passholder-points-constraint': {
    title: 'Not enough points',
    endUserMessage: {
      nl: 'Je hebt niet genoeg punten om dit voordeel om te ruilen.',
      fr: "Vous n'avez pas assez de points pour échanger cet avantage.",
      de: 'Du hast nicht genug Punkte, um diesen Vorteil einzulösen.',
      en: 'You do not have enough points to redeem this reward.',
    },
  },
  'uitpas/reward-passholder-no-applicable-cardsystems': {
    title: 'Passholder not in an applicable card system',
    endUserMessage: {
      nl: 'Dit voordeel geldt niet voor jouw UiTPAS-regio.',
      fr: "Cet avantage n'est pas valable pour votre région UiTPAS.",
      de: 'Dieser Vorteil gilt nicht für deine UiTPAS-Region.',
      en: 'This reward is not valid for your UiTPAS region.',
    },
  },
  'uitpas/passholder-no-active-cardsystems': {
    title: 'Passholder has no active card system',
    endUserMessage: {
      nl: 'Je UiTPAS heeft geen actief lidmaatschap. Vernieuw het aan de UiTPAS-balie.',
      fr: "Votre UiTPAS n'a pas d'adhésion active. Renouvelez-la au point UiTPAS.",
      de: 'Dein UiTPAS hat keine aktive Mitgliedschaft. Erneuere sie an der UiTPAS-Stelle.',
      en: 'Your UiTPAS has no active membership. Renew it at the UiTPAS desk.',
    },
  },
} as const satisfies Record<string, ProblemDef>;

export type ProblemKind = keyof typeof PROBLEMS;

export function problemType(kind: ProblemKind): string {
  return PROBLEM_BASE + kind;
}

/** A UiTPAS problem+json response. `extra` adds documented members (cardStatus, schemaErrors...). */
export function uitpasProblem(
  status: number,
  kind: ProblemKind,
  detail?: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): SandboxResponse {
  const def: ProblemDef = PROBLEMS[kind];
  const body: Record<string, unknown> = { type: problemType(kind), title: def.title, status };
  if (detail) body.detail = detail;
  if (def.endUserMessage) body.endUserMessage = { ...def.endUserMessage };
  Object.assign(body, extra);
  return { status, headers: { 'content-type': 'application/problem+json', ...headers }, body };
}

/** A problem with no more specific type than its status (RFC 7807 "about:blank"). */
export function plainProblem(status: number, detail: string, headers: Record<string, string> = {}): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail },
  };
}

/** The reasons `GET /rewards/{id}/redeem-status` gives, spelled as the document's enum spells them. */
export const REDEEM_REASONS = [
  'INVALID_CARD',
  'PASSHOLDER_VOLUME',
  'PASSHOLDER_POINTS',
  'REWARD_PERIOD',
  'REWARD_VOLUME',
  'PASSHOLDER_APPLICABLE_CARDSYSTEMS',
  // The enum says CARDSYSTEM, the prose CARDSYSTEMS: the emulator sends what the enum allows.
  'PASSHOLDER_NO_ACTIVE_CARDSYSTEM',
] as const;

export type RedeemReason = (typeof REDEEM_REASONS)[number];

/** `message` of a refused redeem-status: end-user text in Dutch. */
export const REDEEM_REASON_MESSAGES: Record<RedeemReason, string> = {
  INVALID_CARD: 'Deze UiTPAS is niet geldig.',
  PASSHOLDER_VOLUME: 'Je hebt dit voordeel al het maximum aantal keer omgeruild.',
  PASSHOLDER_POINTS: 'Je hebt niet genoeg punten om dit voordeel om te ruilen.',
  REWARD_PERIOD: 'Dit voordeel kan nu niet omgeruild worden: het valt buiten de omruilperiode.',
  REWARD_VOLUME: 'Dit voordeel is uitgeput.',
  PASSHOLDER_APPLICABLE_CARDSYSTEMS: 'Dit voordeel geldt niet voor jouw UiTPAS-regio.',
  PASSHOLDER_NO_ACTIVE_CARDSYSTEM: 'Je UiTPAS heeft geen actief lidmaatschap.',
};

/** The problem `POST /rewards/redeemed` answers when a reward is not redeemable for that reason. */
export const REDEEM_REASON_PROBLEMS: Record<RedeemReason, ProblemKind> = {
  INVALID_CARD: 'uitpas/invalid-card',
  PASSHOLDER_VOLUME: 'uitpas/reward-passholder-volume-constraint',
  PASSHOLDER_POINTS: 'uitpas/reward-passholder-points-constraint',
  REWARD_PERIOD: 'uitpas/reward-period-constraint',
  REWARD_VOLUME: 'uitpas/reward-volume-constraint',
  PASSHOLDER_APPLICABLE_CARDSYSTEMS: 'uitpas/reward-passholder-no-applicable-cardsystems',
  PASSHOLDER_NO_ACTIVE_CARDSYSTEM: 'uitpas/passholder-no-active-cardsystems',
};
