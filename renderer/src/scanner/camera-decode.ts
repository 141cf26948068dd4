/**
 * Decodes one camera picture's luma (brightness) plane: QR codes and CODE128
 * only (what UiTPAS cards and the UiTPAS app show, and what member apps put
 * in a QR), with ZXing's decoders (@zxing/library, the same ones
 * html5-qrcode carried). Pure: runs in the camera's decode worker
 * (camera-decode.worker.ts), or on the page when a worker cannot start.
 *
 * WHY the luma plane: a camera's frame already holds it (the Y plane of
 * I420/NV12), and ZXing decodes brightness only. Drawing the frame into a
 * canvas, converting it to RGBA and reading it back (what html5-qrcode did
 * on every frame) cost more than the decode itself on a slow PC.
 */
import BarcodeFormat from '@zxing/library/esm/core/BarcodeFormat';
import BinaryBitmap from '@zxing/library/esm/core/BinaryBitmap';
import DecodeHintType from '@zxing/library/esm/core/DecodeHintType';
import HybridBinarizer from '@zxing/library/esm/core/common/HybridBinarizer';
import MultiFormatReader from '@zxing/library/esm/core/MultiFormatReader';
import PlanarYUVLuminanceSource from '@zxing/library/esm/core/PlanarYUVLuminanceSource';

/** A picture's brightness, one byte a pixel, rows `stride` bytes apart. */
export interface LumaPicture {
  luma: Uint8ClampedArray;
  width: number;
  height: number;
  stride: number;
}

export interface DecodedCode {
  text: string;
  /** 'QR_CODE' or 'CODE_128'. */
  format: string;
}

function readerOf(format: BarcodeFormat): MultiFormatReader {
  const reader = new MultiFormatReader();
  // One format a reader; TRY_HARDER stays off, as html5-qrcode had it: it makes every miss several times slower, and the next frame is another try.
  reader.setHints(
    new Map<DecodeHintType, unknown>([
      [DecodeHintType.POSSIBLE_FORMATS, [format]],
      [DecodeHintType.TRY_HARDER, false],
    ]),
  );
  return reader;
}

let readers: { qr: MultiFormatReader; code128: MultiFormatReader } | null = null;

function read(reader: MultiFormatReader, p: LumaPicture): DecodedCode | null {
  try {
    const source = new PlanarYUVLuminanceSource(p.luma, p.stride, p.height, 0, 0, p.width, p.height, false);
    const result = reader.decodeWithState(new BinaryBitmap(new HybridBinarizer(source)));
    return { text: result.getText(), format: BarcodeFormat[result.getBarcodeFormat()] ?? '' };
  } catch {
    // NotFound / Checksum / Format: nothing readable in this picture.
    return null;
  } finally {
    reader.reset();
  }
}

/** The picture at half its width and height, each pixel the mean of four. */
export function halfSize(p: LumaPicture): LumaPicture {
  const width = p.width >> 1;
  const height = p.height >> 1;
  const luma = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y++) {
    let i = 2 * y * p.stride;
    let o = y * width;
    for (let x = 0; x < width; x++, i += 2, o++) luma[o] = (p.luma[i]! + p.luma[i + 1]! + p.luma[i + p.stride]! + p.luma[i + p.stride + 1]! + 2) >> 2;
  }
  return { luma, width, height, stride: width };
}

/** Below this width a picture is not halved for the first QR try. */
const HALVE_FROM_WIDTH = 320;

/**
 * The code in the picture, or null. Three tries, cheapest first (measured on
 * the e2e camera's pictures: bench/camera-timeline.ts and the unit test):
 *  1. a QR in the picture at half size: 4x fewer pixels, and a QR's modules
 *     stay big enough even for a code of 3-pixel modules (1-7 ms where the
 *     whole picture took 8-28 ms);
 *  2. a CODE128 in the whole picture: its narrow bars need every pixel of the
 *     row (under 1 ms when the card is there);
 *  3. a QR in the whole picture (a small code, far away).
 * A mirrored code (seen in a mirror, or on a see-through card) reads too:
 * ZXing's QR decoder retries a QR mirrored, and its 1D readers read each row
 * both ways. (html5-qrcode decoded every missed frame a second time flipped:
 * twice the work for nothing.)
 */
export function decodeLuma(p: LumaPicture): DecodedCode | null {
  readers ??= { qr: readerOf(BarcodeFormat.QR_CODE), code128: readerOf(BarcodeFormat.CODE_128) };
  const { qr, code128 } = readers;
  return (p.width >= HALVE_FROM_WIDTH ? read(qr, halfSize(p)) : null) ?? read(code128, p) ?? read(qr, p);
}

/** Brightness of RGBA (or BGRA: `bgr`) pixels, ZXing's own weights (2 green, 1 red, 1 blue). */
export function lumaOfRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, stride = width * 4, bgr = false): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height);
  const r = bgr ? 2 : 0;
  const b = bgr ? 0 : 2;
  for (let y = 0; y < height; y++) {
    let i = y * stride;
    let o = y * width;
    for (let x = 0; x < width; x++, i += 4, o++) out[o] = (rgba[i + r]! + 2 * rgba[i + 1]! + rgba[i + b]!) >> 2;
  }
  return out;
}
