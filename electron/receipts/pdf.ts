/**
 * A slip as a PDF (pdf-lib): the same lines as the thermal slip, on a page
 * the roll's width, for a store without a thermal printer (the system
 * printer prints it) and for a member who asks for it by e-mail later.
 * Courier, one of PDF's standard fonts (WinAnsi: € and the accents of Dutch
 * and French), so nothing is embedded and the text extracts as typed.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { PAPER_COLUMNS, receiptLines, type PaperWidth, type Receipt } from '../../shared/receipt.js';

const MM = 72 / 25.4;

export async function receiptToPdf(r: Receipt, paper: PaperWidth, timeZone?: string): Promise<Uint8Array> {
  const columns = PAPER_COLUMNS[paper];
  const lines = receiptLines(r, columns, timeZone);
  const doc = await PDFDocument.create();
  doc.setTitle(`${r.storeName} ${r.saleId}`);
  doc.setCreator('Pay with Points');
  // The metadata dates would make two renderings of one slip differ.
  doc.setCreationDate(new Date(r.at));
  doc.setModificationDate(new Date(r.at));
  const font = await doc.embedFont(StandardFonts.Courier);
  const bold = await doc.embedFont(StandardFonts.CourierBold);
  const margin = 4 * MM;
  const width = paper * MM;
  // Courier's advance is 0.6 em: the size that fits `columns` characters in the printable width.
  const size = (width - 2 * margin) / (columns * 0.6);
  const leading = size * 1.25;
  const height = margin * 2 + lines.reduce((h, l) => h + leading * (l.big ? 2 : 1), 0);
  const page = doc.addPage([width, height]);
  let y = height - margin;
  for (const l of lines) {
    const s = l.big ? size * 2 : size;
    y -= l.big ? leading * 2 : leading;
    const f = l.bold ? bold : font;
    const textWidth = f.widthOfTextAtSize(l.text, s);
    const x = l.align === 'center' ? (width - textWidth) / 2 : margin;
    page.drawText(l.text, { x, y: y + (leading - size), size: s, font: f });
  }
  return doc.save();
}
