/**
 * Reads ESC/POS bytes back the way a printer would, for the receipt tests:
 * every command the terminal may send is understood, anything else is an
 * error (so a stray byte cannot hide in a golden file), and text is decoded
 * with the code page the bytes selected. Written from Epson's command
 * reference, independent of the encoder library the terminal uses.
 */

/** PC858 (CP850 with the euro at 0xD5), bytes 0x80-0xFF. */
const PC858_HIGH =
  'ÇüéâäàåçêëèïîìÄÅ' +
  'ÉæÆôöòûùÿÖÜø£Ø×ƒ' +
  'áíóúñÑªº¿®¬½¼¡«»' +
  '░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐' +
  '└┴┬├─┼ãÃ╚╔╩╦╠═╬¤' +
  'ðÐÊËÈ€ÍÎÏ┘┌█▄¦Ì▀' +
  'ÓßÔÒõÕµþÞÚÛÙýÝ¯´' +
  '\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';

/** Epson's table numbers the reader can decode. */
const CODE_PAGES: Record<number, string> = { 19: PC858_HIGH };

export interface PrintedLine {
  text: string;
  bold: boolean;
  /** GS ! : width and height multipliers. */
  width: number;
  height: number;
}

export interface PrintedSlip {
  lines: PrintedLine[];
  /** Commands seen, by name, in order (initialize, codepage, cut...). */
  commands: string[];
  cut: boolean;
}

export function readEscPos(bytes: Uint8Array): PrintedSlip {
  const lines: PrintedLine[] = [];
  const commands: string[] = [];
  let text = '';
  let lineBold = false;
  let lineW = 1;
  let lineH = 1;
  let bold = false;
  let w = 1;
  let h = 1;
  let table: number | null = null;
  let cut = false;
  let i = 0;
  const need = (n: number) => {
    if (i + n > bytes.length) throw new Error(`command cut short at byte ${i}`);
  };
  const mark = () => {
    // A line takes the emphasis it had for its text (bold/size may switch off before the LF).
    if (text.length === 0 || /^ *$/.test(text)) {
      lineBold ||= bold;
      lineW = Math.max(lineW, w);
      lineH = Math.max(lineH, h);
    }
  };
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      need(2);
      const c = bytes[i + 1]!;
      if (c === 0x40) {
        commands.push('initialize');
        bold = false;
        w = h = 1;
        table = 0;
        i += 2;
      } else if (c === 0x45 || c === 0x4d || c === 0x74 || c === 0x61) {
        need(3);
        const n = bytes[i + 2]!;
        if (c === 0x45) {
          bold = (n & 1) === 1;
          if (bold) lineBold = true;
        } else if (c === 0x74) {
          if (!(n in CODE_PAGES) && n !== 0) throw new Error(`code page table ${n} is not one the slip should use`);
          table = n;
          commands.push(`codepage ${n}`);
        } else commands.push(c === 0x4d ? `font ${n}` : `align ${n}`);
        i += 3;
      } else throw new Error(`unknown ESC ${c.toString(16)} at byte ${i}`);
    } else if (b === 0x1c) {
      need(2);
      if (bytes[i + 1] !== 0x2e) throw new Error(`unknown FS ${bytes[i + 1]!.toString(16)} at byte ${i}`);
      commands.push('kanji off');
      i += 2;
    } else if (b === 0x1d) {
      need(3);
      const c = bytes[i + 1]!;
      if (c === 0x21) {
        const n = bytes[i + 2]!;
        w = (n >> 4) + 1;
        h = (n & 0x0f) + 1;
        if (w > 1 || h > 1) {
          lineW = Math.max(lineW, w);
          lineH = Math.max(lineH, h);
        }
        i += 3;
      } else if (c === 0x56) {
        const m = bytes[i + 2]!;
        commands.push('cut');
        cut = true;
        i += m === 0x41 || m === 0x42 || m === 0x61 || m === 0x62 ? 4 : 3;
      } else throw new Error(`unknown GS ${c.toString(16)} at byte ${i}`);
    } else if (b === 0x0a) {
      lines.push({ text, bold: lineBold, width: lineW, height: lineH });
      text = '';
      lineBold = bold;
      lineW = w;
      lineH = h;
      i += 1;
    } else if (b === 0x0d) {
      i += 1;
    } else if (b >= 0x20 && b < 0x7f) {
      mark();
      text += String.fromCharCode(b);
      i += 1;
    } else if (b >= 0x80) {
      if (table === null || !(table in CODE_PAGES)) throw new Error(`byte ${b.toString(16)} at ${i} printed without a code page that has it (table ${table})`);
      mark();
      text += CODE_PAGES[table]![b - 0x80];
      i += 1;
    } else throw new Error(`control byte ${b.toString(16)} at ${i} would not print as text`);
  }
  if (text) lines.push({ text, bold: lineBold, width: lineW, height: lineH });
  return { lines, commands, cut };
}
