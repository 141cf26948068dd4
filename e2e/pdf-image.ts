/**
 * Reads the greyscale image pdftoppm writes (-gray: binary PGM, "P5"), so a
 * test can look at a printed page the way paper shows it: where is ink.
 */
export interface GreyImage {
  width: number;
  height: number;
  /** How many pixels in the rectangle are darker than near-white. */
  inkIn(r: { x: number; y: number; w: number; h: number }): number;
}

export function readPgm(buf: Buffer): GreyImage {
  // Header: "P5" width height maxval, separated by whitespace, then one byte per pixel (maxval < 256).
  const fields: string[] = [];
  let i = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[i]!))) i++;
    if (buf[i] === 0x23) {
      while (buf[i] !== 0x0a) i++; // a comment line
      continue;
    }
    let tok = '';
    while (!/\s/.test(String.fromCharCode(buf[i]!))) tok += String.fromCharCode(buf[i++]!);
    fields.push(tok);
  }
  i++; // the single whitespace after maxval
  if (fields[0] !== 'P5' || Number(fields[3]) > 255) throw new Error(`not an 8-bit binary PGM: ${fields.join(' ')}`);
  const width = Number(fields[1]);
  const height = Number(fields[2]);
  const pixels = buf.subarray(i, i + width * height);
  return {
    width,
    height,
    inkIn({ x, y, w, h }) {
      let n = 0;
      for (let yy = Math.max(0, y); yy < Math.min(height, y + h); yy++) {
        for (let xx = Math.max(0, x); xx < Math.min(width, x + w); xx++) if (pixels[yy * width + xx]! < 235) n++;
      }
      return n;
    },
  };
}
