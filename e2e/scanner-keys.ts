/**
 * A USB barcode scanner's keys for the e2e tests and the benchmarks, through
 * CDP (Input.dispatchKeyEvent): sent in one go, each key stamped `gapMs` after
 * the one before. Chromium gives the page's KeyboardEvent.timeStamp from that
 * stamp, so the keyboard wedge sees a scanner's pace however loaded the test
 * machine is (page.keyboard.type's delays stretch past the wedge's limits on
 * a busy two-core machine).
 */
import type { Page } from '@playwright/test';

/** Keys as an AZERTY desktop reports a scanner's digits: code Digit1, key "&" and so on. */
export const AZERTY: Record<string, string> = { '1': '&', '2': 'é', '3': '"', '4': "'", '5': '(', '6': '-', '7': 'è', '8': '_', '9': 'ç', '0': 'à' };

const CODES: Record<string, [code: string, keyCode: number]> = {
  ' ': ['Space', 32],
  '/': ['Slash', 191],
  '-': ['Minus', 189],
  '.': ['Period', 190],
  '*': ['NumpadMultiply', 106],
};

function keyOf(ch: string, layout: 'us' | 'azerty'): { key: string; code: string; keyCode: number } {
  if (/\d/.test(ch)) return { key: layout === 'azerty' ? AZERTY[ch]! : ch, code: `Digit${ch}`, keyCode: 48 + Number(ch) };
  if (/[a-z]/i.test(ch)) return { key: ch, code: `Key${ch.toUpperCase()}`, keyCode: ch.toUpperCase().charCodeAt(0) };
  const known = CODES[ch];
  if (!known) throw new Error(`scanKeys cannot send "${ch}"`);
  return { key: ch, code: known[0], keyCode: known[1] };
}

/**
 * A USB scanner's keys through CDP, sent in one go, each stamped `gapMs` after
 * the one before (the events' timeStamp follows the stamp): a scanner's pace
 * that a loaded test machine cannot stretch. `layout` 'azerty' sends what an
 * AZERTY desktop reports for the digit keys. Digits, letters, space and - . / *.
 */
export async function scanKeys(page: Page, text: string, layout: 'us' | 'azerty' = 'us', gapMs = 8, enter = true): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const t0 = Date.now() / 1000;
  const sends: Promise<unknown>[] = [];
  [...text].forEach((ch, i) => {
    const { key, code, keyCode } = keyOf(ch, layout);
    const shift = /[A-Z]/.test(ch);
    const common = { key, code, windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode, modifiers: shift ? 8 : 0, timestamp: t0 + (i * gapMs) / 1000 };
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', text: key, unmodifiedText: key, ...common }));
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...common, timestamp: common.timestamp + 0.003 }));
  });
  if (enter) {
    const e = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13, timestamp: t0 + (text.length * gapMs) / 1000 };
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', text: '\r', unmodifiedText: '\r', ...e }));
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...e, timestamp: e.timestamp + 0.003 }));
  }
  await Promise.all(sends);
  await cdp.detach();
}
