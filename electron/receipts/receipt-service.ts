/**
 * The receipts area of the contract: builds a sale's slips from what the
 * terminal stored (the sale and its log), prints them on the printer set up in
 * Settings, and hands them out as PDF.
 *
 * Printing comes after the sale is stored and is not part of it: a printer
 * that is off, out of paper or gone gives the cashier a message and a log
 * entry, never an error on the sale. Every print attempt is logged
 * (receipt.printed / receipt.print-failed); a slip printed before is a copy.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { MethodInput } from '../../shared/contract.js';
import type { ExportTicket, Language, PrinterSettings } from '../../shared/contract/manager.js';
import { LANGUAGES } from '../../shared/contract/manager.js';
import { receiptsMethods, type PrintResult, type ReceiptsResults } from '../../shared/contract/receipts.js';
import type { LogEntryView, SaleView, TerminalStatus } from '../../shared/domain.js';
import { PosError } from '../../shared/errors.js';
import { PAPER_COLUMNS, printMessage, receiptLines, type Receipt } from '../../shared/receipt.js';
import { logger } from '../log/logger.js';
import { EXPORT_PATH } from '../service/manager-desk.js';
import { SettingsStore } from '../service/settings-store.js';
import type { Store } from '../store/store.js';
import { bindHandlers, type HandlersFor } from '../transport/dispatch.js';
import { receiptToEscPos, slipToEscPos } from './escpos.js';
import { receiptToPdf } from './pdf.js';
import { DEFAULT_PRINT_TIMEOUTS, sendToPrinter, type PrintOutcome, type PrintTimeouts } from './printer.js';

const log = logger('receipts');

type ReceiptsMethod = keyof typeof receiptsMethods;
type Which = MethodInput<'getReceipt'>;

/** How long a PDF ticket opens its download. */
const PDF_TICKET_MS = 60_000;

export interface ReceiptServiceOptions {
  sale(saleId: string): Promise<SaleView>;
  status(): Promise<TerminalStatus>;
  /** Who is printing (the signed-in person), for the log. */
  actor(): string;
  terminalId: string;
  clock?: () => number;
  /** Dates on the slip in this zone (tests); the terminal's own zone otherwise. */
  timeZone?: string;
  printTimeouts?: PrintTimeouts;
}

export class ReceiptService implements HandlersFor<ReceiptsMethod> {
  private readonly clock: () => number;
  private readonly settings: SettingsStore;
  private readonly pdfs = new Map<string, { which: Which; copy: boolean; filename: string; expiresAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly opts: ReceiptServiceOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.settings = new SettingsStore(store, null);
  }

  handlers(): HandlersFor<ReceiptsMethod> {
    return bindHandlers(this, Object.keys(receiptsMethods) as ReceiptsMethod[]);
  }

  async getReceipt(input: Which): Promise<ReceiptsResults['getReceipt']> {
    const receipt = await this.build(input, this.printedBefore(input));
    return { receipt, lines: receiptLines(receipt, PAPER_COLUMNS[this.settings.printer().paper], this.opts.timeZone) };
  }

  async printReceipt(input: Which): Promise<PrintResult> {
    const receipt = await this.build(input, this.printedBefore(input));
    const printer = this.settings.printer();
    const outcome = await this.send(printer, () => receiptToEscPos(receipt, printer.paper, this.opts.timeZone));
    this.store.transaction(() =>
      this.store.journal.append({
        at: new Date(this.clock()).toISOString(),
        terminalId: this.opts.terminalId,
        actor: this.opts.actor(),
        kind: outcome.printed ? 'receipt.printed' : 'receipt.print-failed',
        outcome: outcome.printed ? 'ok' : 'failed',
        saleId: receipt.saleId,
        detail: {
          receipt: receipt.kind,
          copy: receipt.copy,
          printer: printer.kind,
          ...(input.refundSeq ? { refundSeq: input.refundSeq } : {}),
          ...(outcome.problem ? { problem: outcome.problem } : {}),
          ...(outcome.paperLow ? { paperLow: true } : {}),
        },
      }),
    );
    if (!outcome.printed) log.warn('a slip was not printed', { saleId: receipt.saleId, kind: receipt.kind, problem: outcome.problem });
    return { ...outcome, message: printMessage(receipt.language, outcome) };
  }

  async testPrinter(): Promise<PrintResult> {
    const printer = this.settings.printer();
    const lang = this.language(undefined);
    const status = await this.opts.status();
    const columns = PAPER_COLUMNS[printer.paper];
    const text = `${status.storeName} - ${status.terminalId}`;
    const outcome = await this.send(printer, () =>
      slipToEscPos(
        [
          { text: 'Pay with Points', align: 'center', bold: true },
          { text: text.slice(0, columns), align: 'center' },
          { text: `${printer.paper} mm: ${'1234567890'.repeat(5).slice(0, columns)}`.slice(0, columns), align: 'left' },
          { text: '€ é è à ç ë ï ô û', align: 'left' },
        ],
        printer.paper,
      ),
    );
    log.info('printer test', { printer: printer.kind, printed: outcome.printed, problem: outcome.problem });
    return { ...outcome, message: printMessage(lang, outcome, false) };
  }

  async requestReceiptPdf(input: Which): Promise<ExportTicket> {
    // Built now, so a slip that cannot be made is refused here, not at the download.
    const receipt = await this.build(input, this.printedBefore(input));
    this.prune();
    const ticket = randomBytes(24).toString('base64url');
    const filename = `slip_${receipt.kind}_${receipt.saleId}.pdf`.replace(/[^A-Za-z0-9_.-]/g, '_');
    const expiresAt = this.clock() + PDF_TICKET_MS;
    this.pdfs.set(ticket, { which: input, copy: receipt.copy, filename, expiresAt });
    return { ticket, path: `${EXPORT_PATH}${encodeURIComponent(filename)}?ticket=${ticket}`, filename, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Opens a slip's PDF by its ticket, once (the export download path). */
  openPdf(ticket: string): { filename: string; contentType: string; write(out: Writable): Promise<{ bytes: number }> } | null {
    this.prune();
    const p = this.pdfs.get(ticket);
    if (!p) return null;
    this.pdfs.delete(ticket);
    return {
      filename: p.filename,
      contentType: 'application/pdf',
      write: async (out) => {
        const receipt = await this.build(p.which, p.copy);
        const pdf = await receiptToPdf(receipt, this.settings.printer().paper, this.opts.timeZone);
        await new Promise<void>((resolve, reject) => out.end(pdf, (err?: Error | null) => (err ? reject(err) : resolve())));
        return { bytes: pdf.byteLength };
      },
    };
  }

  /** The slip's facts, from the stored sale and its log. Refuses a slip for something that did not happen. */
  async build(input: Which, copy: boolean): Promise<Receipt> {
    const sale = await this.opts.sale(input.saleId);
    const status = await this.opts.status();
    const entries = this.entriesOf(sale.id);
    const find = (kind: string) => entries.filter((e) => e.kind === kind);
    const paid = find('sale.paid')[0];
    const base = {
      language: this.language(input.language),
      training: status.training,
      copy,
      storeName: status.storeName,
      terminalId: status.terminalId,
      terminalName: status.terminalName ?? status.terminalId,
      saleId: sale.id,
      backendReference: sale.result?.backendReference ?? null,
      program: status.backend.name,
      memberMasked: sale.member?.masked ?? entries.find((e) => e.memberMasked)?.memberMasked ?? null,
      currency: sale.basket.currency,
      pointsDecimals: status.backend.capabilities.pointsDecimals,
      reward: sale.reward?.title ?? null,
    };
    const compensationPosted = find('refund.posted');
    if (input.kind === 'sale') {
      if (!paid) throw new PosError('SALE_WRONG_STATE', 'There is no slip for this sale: it was not paid with points.');
      const q = sale.quote;
      return {
        ...base,
        kind: 'sale',
        at: paid.at,
        pointsMilli: paid.pointsMilli ?? q?.pointsMilli ?? 0,
        discountCents: q?.cashback ? null : (q?.discount.cents ?? null),
        cashbackCents: q?.cashback?.cents ?? null,
        balanceAfterMilli: sale.result?.balanceAfterMilli ?? q?.balanceAfterMilli ?? null,
        pending: sale.redemption === 'waiting',
        refundCents: null,
      };
    }
    if (input.kind === 'void') {
      const voided = find('sale.voided').at(-1);
      if (!voided || sale.state !== 'voided') throw new PosError('SALE_WRONG_STATE', 'There is no void slip: this sale was not voided.');
      const back = compensationPosted.at(-1);
      return {
        ...base,
        kind: 'void',
        at: voided.at,
        pointsMilli: sale.refunded.pointsMilli || (voided.pointsMilli ?? 0),
        discountCents: null,
        cashbackCents: null,
        balanceAfterMilli: numberOr(back?.detail?.balanceAfterMilli),
        pending: sale.compensation?.state === 'waiting',
        refundCents: null,
      };
    }
    const refunds = find('sale.refunded');
    const refund = input.refundSeq ? refunds.find((e) => e.seq === input.refundSeq) : refunds.at(-1);
    if (!refund) throw new PosError('SALE_WRONG_STATE', 'There is no refund slip: nothing was refunded on this sale.');
    // The refund's points came back when a compensation was posted after it.
    const back = compensationPosted.find((e) => e.seq > refund.seq);
    return {
      ...base,
      kind: 'refund',
      at: refund.at,
      pointsMilli: refund.pointsMilli ?? 0,
      discountCents: null,
      cashbackCents: null,
      balanceAfterMilli: numberOr(back?.detail?.balanceAfterMilli),
      pending: (refund.pointsMilli ?? 0) > 0 && !back,
      refundCents: refund.amountCents,
    };
  }

  private async send(printer: PrinterSettings, bytes: () => Uint8Array): Promise<PrintOutcome> {
    if (printer.kind === 'none') return { printed: false, problem: 'not-set-up' };
    const target =
      printer.kind === 'network' ? { kind: 'network' as const, host: printer.host, port: printer.port } : { kind: 'device' as const, path: printer.devicePath };
    return sendToPrinter(target, bytes(), this.opts.printTimeouts ?? DEFAULT_PRINT_TIMEOUTS);
  }

  /** The sale's log, oldest first. */
  private entriesOf(saleId: string): LogEntryView[] {
    return this.store.journal.list({ limit: 500, saleId }).reverse();
  }

  private printedBefore(input: Which): boolean {
    return this.entriesOf(input.saleId).some(
      (e) =>
        e.kind === 'receipt.printed' &&
        e.detail?.receipt === input.kind &&
        (input.kind !== 'refund' || !input.refundSeq || e.detail?.refundSeq === input.refundSeq),
    );
  }

  private language(asked: Language | undefined): Language {
    if (asked) return asked;
    const stored = this.store.getSetting('language');
    return (LANGUAGES as readonly string[]).includes(stored ?? '') ? (stored as Language) : 'en';
  }

  private prune(): void {
    const now = this.clock();
    for (const [t, p] of this.pdfs) if (p.expiresAt <= now) this.pdfs.delete(t);
  }
}

function numberOr(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
