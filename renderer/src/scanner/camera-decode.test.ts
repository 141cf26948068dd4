/**
 * The camera's decoder on the pictures the e2e fake camera shows (e2e/fake-camera.ts draws
 * them: a QR from `qrcode`, one from Debian's qrencode, a CODE128 from bwip-js), as the
 * worker gets them: a brightness plane, possibly wider rows than the picture, possibly
 * mirrored, possibly from RGB pixels.
 */
import { describe, expect, it } from 'vitest';
import { H, lumaWith, W, type FakeCode } from '../../../e2e/fake-camera';
import { UITPAS_DEMO_PASSHOLDERS } from '../../../sandbox/uitpas/demo-data';
import { decodeLuma, halfSize, lumaOfRgba, type LumaPicture } from './camera-decode';

const jan = UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber;

const picture = (code: FakeCode): LumaPicture => ({ luma: new Uint8ClampedArray(lumaWith(code)), width: W, height: H, stride: W });

describe('decodeLuma', () => {
  it.each<[string, FakeCode, string]>([
    ['a QR (qrcode)', { kind: 'qr', text: jan }, 'QR_CODE'],
    ['a QR held close', { kind: 'qr', text: jan, modulePx: 20 }, 'QR_CODE'],
    ['a QR with a URL', { kind: 'qr', text: `https://www.uitpas.be/pas/${jan}?src=app` }, 'QR_CODE'],
    ['a QR from a second encoder (qrencode)', { kind: 'qrencode', text: jan, sizePx: 300 }, 'QR_CODE'],
    ['a CODE128 card', { kind: 'code128', text: jan }, 'CODE_128'],
    // Too small for the first, half-size try: the whole picture is tried too.
    ['a small QR far away (2-pixel modules)', { kind: 'qr', text: jan, modulePx: 2 }, 'QR_CODE'],
  ])('reads %s', (_what, code, format) => {
    const text = code.kind === 'blank' ? '' : code.text;
    expect(decodeLuma(picture(code))).toEqual({ text, format });
  });

  it('reads nothing in a blank picture', () => {
    expect(decodeLuma(picture({ kind: 'blank' }))).toBeNull();
  });

  it.each<[string, FakeCode]>([
    ['QR', { kind: 'qr', text: jan }],
    ['CODE128', { kind: 'code128', text: jan }],
  ])('reads a mirrored %s (seen in a mirror, or through a see-through card)', (_what, code) => {
    const p = picture(code);
    for (let y = 0; y < H; y++) p.luma.subarray(y * W, (y + 1) * W).reverse();
    expect(decodeLuma(p)?.text).toBe(jan);
  });

  it("reads a plane whose rows are wider than the picture (a frame's stride)", () => {
    const stride = W + 64;
    const src = lumaWith({ kind: 'qr', text: jan });
    const luma = new Uint8ClampedArray(stride * H).fill(0); // dark padding: it must not be read as part of the picture
    for (let y = 0; y < H; y++) luma.set(src.subarray(y * W, (y + 1) * W), y * stride);
    expect(decodeLuma({ luma, width: W, height: H, stride })).toEqual({ text: jan, format: 'QR_CODE' });
  });
});

describe('halfSize', () => {
  it('averages each 2x2 block (rounded), over rows with padding', () => {
    const luma = Uint8ClampedArray.from([10, 20, 30, 40, 99, 0, 30, 40, 50, 61, 99, 0]);
    expect(halfSize({ luma, width: 4, height: 2, stride: 6 })).toEqual({ luma: Uint8ClampedArray.from([25, 45]), width: 2, height: 1, stride: 2 });
  });
});

describe('lumaOfRgba', () => {
  it('weighs red, green twice and blue, in RGBA or BGRA order, over rows with padding', () => {
    // Two pixels a row, one padding pixel: (r, g, b) = (200, 100, 40) and (0, 0, 255).
    const rgba = Uint8Array.from([200, 100, 40, 255, 0, 0, 255, 255, 9, 9, 9, 9]);
    expect([...lumaOfRgba(rgba, 2, 1, 12)]).toEqual([(200 + 200 + 40) >> 2, 255 >> 2]);
    expect([...lumaOfRgba(rgba, 2, 1, 12, true)]).toEqual([(40 + 200 + 200) >> 2, 255 >> 2]);
  });

  it('gives a plane the decoder reads', () => {
    const luma = lumaWith({ kind: 'qr', text: jan });
    const rgba = new Uint8ClampedArray(W * H * 4);
    luma.forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
    expect(decodeLuma({ luma: lumaOfRgba(rgba, W, H), width: W, height: H, stride: W })?.text).toBe(jan);
  });
});
