/**
 * Receipts: the member's slip after Paid, after a void and after each refund,
 * printed on the store's thermal printer, shown on screen, or as a PDF.
 *
 * Printing never changes the sale and never fails the sale: printReceipt
 * answers how it went (printed, or the problem in plain words) as a value,
 * and each attempt is in the log. Any signed-in person may print and
 * reprint; a reprint says "copy".
 */
import { z } from '../zod.js';
import { saleId } from './checkout.js';
import { LANGUAGES, type ExportTicket } from './manager.js';
import type { Receipt, SlipLine } from '../receipt.js';

export const RECEIPT_KINDS = ['sale', 'void', 'refund'] as const;

const which = {
  saleId,
  kind: z.enum(RECEIPT_KINDS),
  /** The member's language (the counter's); the terminal's when absent. */
  language: z.enum(LANGUAGES).optional(),
  /** A refund slip: which refund (its log entry's seq); the latest when absent. */
  refundSeq: z.number().int().min(1).optional(),
};

export const receiptsMethods = {
  getReceipt: z.object(which).strict(),
  printReceipt: z.object(which).strict(),
  /** The slip as a PDF, downloaded once through the ticket (like an export). */
  requestReceiptPdf: z.object(which).strict(),
  /** Prints a short test slip on the printer set up in Settings (no sale). */
  testPrinter: z.object({}).strict(),
};

export type PrintProblemCode = 'not-set-up' | 'unreachable' | 'no-answer' | 'offline' | 'cover-open' | 'paper-out' | 'failed';

export interface PrintResult {
  printed: boolean;
  problem?: PrintProblemCode;
  /** The roll is nearly at its end (printed anyway). */
  paperLow?: boolean;
  /** What happened, in the asked language, with what to do next. */
  message: string;
}

export interface ReceiptsResults {
  getReceipt: { receipt: Receipt; lines: SlipLine[] };
  printReceipt: PrintResult;
  requestReceiptPdf: ExportTicket;
  testPrinter: PrintResult;
}
