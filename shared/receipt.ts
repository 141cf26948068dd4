/**
 * The member's slip: what it says, in the member's language, as plain lines.
 * One layout for every output (ESC/POS thermal paper 58 or 80 mm, the PDF,
 * the screen's preview), so they never disagree. Pure: no Node, no DOM.
 *
 * A slip is made for a sale's redemption (after Paid), for its void, and for
 * each refund. Reprints say "copy" so a member cannot pass a second slip off
 * as a second redemption.
 */
import type { Language } from './contract/manager.js';
import { formatAmount, formatDateTime, formatPointsFor } from './i18n/index.js';

export type ReceiptKind = 'sale' | 'void' | 'refund';

export interface Receipt {
  kind: ReceiptKind;
  language: Language;
  /** Training: printed big on the slip, so it cannot pass for a real one. */
  training: boolean;
  /** A reprint: the slip says so. */
  copy: boolean;
  storeName: string;
  terminalId: string;
  terminalName: string;
  /** When the sale was paid (sale), voided (void) or refunded (refund); ISO. */
  at: string;
  saleId: string;
  /** The loyalty program's reference for the redemption, when it gave one. */
  backendReference: string | null;
  program: string;
  /** Masked except the last four. */
  memberMasked: string | null;
  currency: string;
  pointsDecimals: number;
  /** sale: points used; void/refund: points given back. */
  pointsMilli: number;
  /** sale: the discount taken off the basket (null for a cashback program). */
  discountCents: number | null;
  /** Cashback credited to the member's wallet instead of a discount. */
  cashbackCents: number | null;
  /** The member's balance after this slip's change, when the program said it (null: not known yet). */
  balanceAfterMilli: number | null;
  /** sale: still waiting to be sent (accepted offline): the balance is not final. */
  pending: boolean;
  /** refund: the amount refunded. */
  refundCents: number | null;
  /** The catalogue reward chosen (reward programs). */
  reward: string | null;
}

/** One printed line: text already fitted to the paper, with its emphasis. */
export interface SlipLine {
  text: string;
  align: 'left' | 'center';
  bold?: boolean;
  /** Double width and height (the training mark, the title). */
  big?: boolean;
}

/** Characters per line of the usual printers' font A (12x24 dots). */
export const PAPER_COLUMNS = { 58: 32, 80: 48 } as const;
export type PaperWidth = keyof typeof PAPER_COLUMNS;

const WORDS = {
  en: {
    sale: 'Paid with points',
    void: 'Points given back: sale voided',
    refund: 'Points given back: refund',
    training: 'TRAINING - NOT A REAL SLIP',
    copy: 'COPY',
    terminal: 'Terminal',
    date: 'Date',
    reference: 'Reference',
    programRef: 'Program ref.',
    program: 'Program',
    member: 'Member',
    reward: 'Reward',
    pointsUsed: 'Points used',
    pointsBack: 'Points given back',
    discount: 'Discount',
    cashback: 'Cashback',
    refunded: 'Refunded',
    balance: 'Balance after',
    pending: 'Sent to the program when the terminal is back online; the balance shown then is final.',
    unknown: 'not known yet',
    thanks: 'Thank you!',
  },
  nl: {
    sale: 'Betaald met punten',
    void: 'Punten teruggegeven: verkoop geannuleerd',
    refund: 'Punten teruggegeven: terugbetaling',
    training: 'OEFENING - GEEN ECHT TICKET',
    copy: 'KOPIE',
    terminal: 'Kassa',
    date: 'Datum',
    reference: 'Referentie',
    programRef: 'Ref. programma',
    program: 'Programma',
    member: 'Lid',
    reward: 'Voordeel',
    pointsUsed: 'Punten gebruikt',
    pointsBack: 'Punten terug',
    discount: 'Korting',
    cashback: 'Cashback',
    refunded: 'Terugbetaald',
    balance: 'Saldo na',
    pending: 'Wordt naar het programma gestuurd zodra de kassa weer online is; het saldo is dan definitief.',
    unknown: 'nog niet gekend',
    thanks: 'Bedankt!',
  },
  fr: {
    sale: 'Payé avec des points',
    void: 'Points rendus : vente annulée',
    refund: 'Points rendus : remboursement',
    training: 'FORMATION - PAS UN VRAI TICKET',
    copy: 'COPIE',
    terminal: 'Caisse',
    date: 'Date',
    reference: 'Référence',
    programRef: 'Réf. programme',
    program: 'Programme',
    member: 'Membre',
    reward: 'Avantage',
    pointsUsed: 'Points utilisés',
    pointsBack: 'Points rendus',
    discount: 'Réduction',
    cashback: 'Cashback',
    refunded: 'Remboursé',
    balance: 'Solde après',
    pending: 'Envoyé au programme dès que la caisse est en ligne ; le solde sera alors définitif.',
    unknown: 'pas encore connu',
    thanks: 'Merci !',
  },
} as const satisfies Record<Language, Record<string, string>>;

/** The words of one language (the tests read the slip back with them). */
export function receiptWords(lang: Language): (typeof WORDS)[Language] {
  return WORDS[lang];
}

/**
 * Intl's group and currency separators are no-break spaces (U+00A0, U+202F
 * in French): thermal code pages have no such characters. Plain spaces print
 * the same and never come out as '?'.
 */
export function printable(text: string): string {
  // The mask's bullet (U+2022) sits at 0x07 in the DOS code pages: a printer reads that as BEL.
  return text
    .replace(/[\u00a0\u202f\u2009]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\u2022/g, '*');
}

/** Words wrapped to `width` (a word longer than a line is cut). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w.length > width) {
      if (line) out.push(line);
      line = '';
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line) out.push(line);
  return out;
}

/** "Label ........ value" on one line, or the value on its own line when both do not fit. */
function pair(label: string, value: string, width: number, bold = false): SlipLine[] {
  if (label.length + 1 + value.length <= width) return [{ text: label + ' '.repeat(width - label.length - value.length) + value, align: 'left', bold }];
  return [
    ...wrap(label, width).map((text) => ({ text, align: 'left' as const, bold })),
    ...wrap(value, width).map((text) => ({ text: text.padStart(width), align: 'left' as const, bold })),
  ];
}

/** The slip as lines of at most `columns` characters (printable characters only). */
export function receiptLines(r: Receipt, columns: number, timeZone?: string): SlipLine[] {
  const w = WORDS[r.language];
  const amount = (cents: number) => printable(formatAmount(cents, r.currency, r.language));
  const points = (milli: number) => printable(formatPointsFor(milli, r.language, r.pointsDecimals));
  const rule: SlipLine = { text: '-'.repeat(columns), align: 'left' };
  const centered = (text: string, extra: Partial<SlipLine> = {}) =>
    wrap(printable(text), extra.big ? Math.floor(columns / 2) : columns).map((t) => ({ text: t, align: 'center' as const, ...extra }));
  const lines: SlipLine[] = [];
  if (r.training) lines.push(...centered(w.training, { bold: true }));
  lines.push(...centered(r.storeName, { bold: true, big: true }));
  lines.push(...centered(r.kind === 'sale' ? w.sale : r.kind === 'void' ? w.void : w.refund, { bold: true }));
  if (r.copy) lines.push(...centered(`*** ${w.copy} ***`, { bold: true }));
  lines.push(rule);
  const p = (label: string, value: string, bold = false) => lines.push(...pair(printable(label), printable(value), columns, bold));
  p(w.terminal, r.terminalName === r.terminalId ? r.terminalId : `${r.terminalName} (${r.terminalId})`);
  p(w.date, printable(formatDateTime(r.at, r.language, timeZone)));
  p(w.reference, r.saleId);
  if (r.backendReference) p(w.programRef, r.backendReference);
  p(w.program, r.program);
  if (r.memberMasked) p(w.member, r.memberMasked);
  if (r.reward) p(w.reward, r.reward);
  lines.push(rule);
  if (r.kind === 'sale') {
    p(w.pointsUsed, points(r.pointsMilli), true);
    if (r.discountCents !== null) p(w.discount, amount(r.discountCents), true);
    if (r.cashbackCents !== null) p(w.cashback, amount(r.cashbackCents), true);
  } else {
    if (r.refundCents !== null) p(w.refunded, amount(r.refundCents));
    p(w.pointsBack, points(r.pointsMilli), true);
  }
  p(w.balance, r.balanceAfterMilli === null ? w.unknown : points(r.balanceAfterMilli), true);
  if (r.pending) for (const text of wrap(printable(w.pending), columns)) lines.push({ text, align: 'left' });
  lines.push(rule);
  lines.push(...centered(w.thanks));
  if (r.training) lines.push(...centered(w.training, { bold: true }));
  return lines;
}

export type PrintProblemWord = 'not-set-up' | 'unreachable' | 'no-answer' | 'offline' | 'cover-open' | 'paper-out' | 'failed';

const PRINT_WORDS: Record<Language, Record<PrintProblemWord | 'printed' | 'paperLow' | 'afterwards', string>> = {
  en: {
    printed: 'The slip is printed.',
    paperLow: 'The paper roll is nearly finished: put a new one in soon.',
    'not-set-up': 'No slip printer is set up (Settings, "Slip printer").',
    unreachable: 'The slip printer cannot be reached: check that it is switched on and connected.',
    'no-answer': 'The slip printer does not answer: check that it is switched on.',
    offline: 'The slip printer is offline: check it (a paper jam or an error light).',
    'cover-open': "The slip printer's cover is open: close it.",
    'paper-out': 'The slip printer is out of paper: put a new roll in.',
    failed: 'The slip could not be printed.',
    afterwards: 'The sale itself is done and saved: print the slip again from the sale once the printer is ready.',
  },
  nl: {
    printed: 'Het ticket is afgedrukt.',
    paperLow: 'De papierrol is bijna op: plaats binnenkort een nieuwe.',
    'not-set-up': 'Er is geen ticketprinter ingesteld (Instellingen, "Ticketprinter").',
    unreachable: 'De ticketprinter is niet bereikbaar: controleer of hij aan staat en aangesloten is.',
    'no-answer': 'De ticketprinter antwoordt niet: controleer of hij aan staat.',
    offline: 'De ticketprinter is offline: controleer hem (papier vast of een foutlampje).',
    'cover-open': 'Het deksel van de ticketprinter staat open: sluit het.',
    'paper-out': 'De ticketprinter heeft geen papier meer: plaats een nieuwe rol.',
    failed: 'Het ticket kon niet worden afgedrukt.',
    afterwards: 'De verkoop zelf is afgerond en bewaard: druk het ticket opnieuw af vanuit de verkoop zodra de printer klaar is.',
  },
  fr: {
    printed: 'Le ticket est imprimé.',
    paperLow: 'Le rouleau de papier est presque fini : mettez-en un nouveau bientôt.',
    'not-set-up': "Aucune imprimante à tickets n'est configurée (Paramètres, « Imprimante à tickets »).",
    unreachable: "L'imprimante à tickets est injoignable : vérifiez qu'elle est allumée et branchée.",
    'no-answer': "L'imprimante à tickets ne répond pas : vérifiez qu'elle est allumée.",
    offline: "L'imprimante à tickets est hors ligne : vérifiez-la (bourrage ou voyant d'erreur).",
    'cover-open': "Le capot de l'imprimante à tickets est ouvert : fermez-le.",
    'paper-out': "L'imprimante à tickets n'a plus de papier : mettez un nouveau rouleau.",
    failed: "Le ticket n'a pas pu être imprimé.",
    afterwards: "La vente elle-même est terminée et enregistrée : réimprimez le ticket depuis la vente quand l'imprimante est prête.",
  },
};

/** What a print attempt came to, in words a cashier can act on. */
export function printMessage(lang: Language, outcome: { printed: boolean; problem?: PrintProblemWord; paperLow?: boolean }, forSale = true): string {
  const w = PRINT_WORDS[lang];
  if (outcome.printed) return outcome.paperLow ? `${w.printed} ${w.paperLow}` : w.printed;
  const why = w[outcome.problem ?? 'failed'];
  return forSale ? `${why} ${w.afterwards}` : why;
}
