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

/**
 * A USB scanner's keys through CDP, sent in one go, each stamped `gapMs` after
 * the one before (the events' timeStamp follows the stamp): a scanner's pace
 * that a loaded test machine cannot stretch. `layout` 'azerty' sends what an
 * AZERTY desktop reports for the digit keys.
 */
export async function scanKeys(page: Page, digits: string, layout: 'us' | 'azerty' = 'us', gapMs = 8): Promise<void> {
  if (!/^\d+$/.test(digits)) throw new Error('scanKeys sends digits only');
  const cdp = await page.context().newCDPSession(page);
  const t0 = Date.now() / 1000;
  const sends: Promise<unknown>[] = [];
  [...digits].forEach((d, i) => {
    const key = layout === 'azerty' ? AZERTY[d]! : d;
    const common = { key, code: `Digit${d}`, windowsVirtualKeyCode: 48 + Number(d), nativeVirtualKeyCode: 48 + Number(d), timestamp: t0 + (i * gapMs) / 1000 };
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', text: key, unmodifiedText: key, ...common }));
    sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...common, timestamp: common.timestamp + 0.003 }));
  });
  const enter = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13, timestamp: t0 + (digits.length * gapMs) / 1000 };
  sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', text: '\r', unmodifiedText: '\r', ...enter }));
  sends.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...enter, timestamp: enter.timestamp + 0.003 }));
  await Promise.all(sends);
  await cdp.detach();
}
