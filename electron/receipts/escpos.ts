/**
 * A slip as ESC/POS bytes, through @point-of-sale/receipt-printer-encoder
 * (maintained; Epson's command set, which nearly every thermal printer speaks).
 *
 * The code page is fixed to PC858 (ESC t 19 in Epson's numbering, the mapping the encoder is given): it is CP850
 * with the euro sign, so € and the accents of Dutch and French print as they
 * are. Characters it lacks come out as '?' rather than as another code page's
 * glyph (printable() in shared/receipt.ts already turns Intl's no-break
 * spaces into plain ones).
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import { PAPER_COLUMNS, receiptLines, type PaperWidth, type Receipt, type SlipLine } from '../../shared/receipt.js';

export function slipToEscPos(lines: readonly SlipLine[], paper: PaperWidth): Uint8Array {
  const enc = new ReceiptPrinterEncoder({ language: 'esc-pos', columns: PAPER_COLUMNS[paper], codepageMapping: 'epson', errors: 'relaxed', feedBeforeCut: 4 });
  enc.initialize().codepage('cp858');
  for (const l of lines) {
    enc.align(l.align).bold(Boolean(l.bold));
    if (l.big) enc.size(2, 2);
    enc.line(l.text);
    if (l.big) enc.size(1, 1);
  }
  return enc.bold(false).align('left').cut('partial').encode();
}

export function receiptToEscPos(r: Receipt, paper: PaperWidth, timeZone?: string): Uint8Array {
  return slipToEscPos(receiptLines(r, PAPER_COLUMNS[paper], timeZone), paper);
}
