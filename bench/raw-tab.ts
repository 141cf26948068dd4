/**
 * One Chromium tab driven over the DevTools protocol alone, without
 * Playwright, for memory figures. WHY: Playwright enables the Network domain
 * on every page it drives, and Chromium's DevTools then keeps each response
 * body in the renderer (up to its buffer's limit, far above a shift's worth):
 * measured here, 2,000 fetches of 20 KB left a Playwright tab 70 MB bigger
 * after a forced GC, the same page in a tab nobody attached to 4 MB. A
 * counter's Electron window has no DevTools attached, so the shift is driven
 * through this tab: only Runtime (evaluate), Input (typed text, keys),
 * HeapProfiler (GC, snapshots), Performance and Memory (counters).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { connectCdp, type CdpClient } from './process-memory.js';

export interface RawTab {
  cdp: CdpClient;
  /** The browser's process id (its renderers are its descendants). */
  browserPid: number;
  /** The browser's own DevTools endpoint (Tracing: memory dumps of every process). */
  browserWsUrl: string;
  evaluate<T = unknown>(expression: string): Promise<T>;
  waitFor(selector: string, timeoutMs?: number): Promise<void>;
  click(selector: string): Promise<void>;
  /** Replaces the field's text as typed input (React sees the input event). */
  fill(selector: string, text: string): Promise<void>;
  pressEnter(): Promise<void>;
  close(): Promise<void>;
}

export async function openRawTab(url: string, chromiumArgs: string[]): Promise<RawTab> {
  const profile = mkdtempSync(join(tmpdir(), 'pwp-raw-tab-'));
  const browser = spawn(
    CHROMIUM_PATH,
    [...chromiumArgs, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=1280,800', 'about:blank'],
    // Its own process group: closing stops Chromium's helper processes too, not only the browser.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-browser.pid!, signal);
    } catch {
      /* the group is gone already */
    }
  };
  const close = async () => {
    if (browser.exitCode === null && browser.signalCode === null) {
      const gone = new Promise((ok) => browser.once('exit', ok));
      killGroup('SIGTERM');
      await gone;
    }
    // Helper processes that outlived the browser would keep writing into the profile.
    killGroup('SIGKILL');
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      // A leftover temporary folder is not a wrong measurement: say so, and go on.
      console.warn(`raw tab: could not remove ${profile}: ${(e as Error).message}`);
    }
  };
  try {
    const port = await new Promise<number>((ok, fail) => {
      let err = '';
      const timer = setTimeout(() => fail(new Error(`Chromium did not open its DevTools port:\n${err}`)), 30_000);
      browser.stderr!.on('data', (d) => {
        err += String(d);
        const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
        if (m) {
          clearTimeout(timer);
          ok(Number(m[1]));
        }
      });
      browser.once('exit', (code) => fail(new Error(`Chromium exited (${code}):\n${err}`)));
    });
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
    const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('Chromium opened no tab');
    const cdp = await connectCdp(page.webSocketDebuggerUrl);
    const evaluate = async <T>(expression: string): Promise<T> => {
      const r = await cdp.send<{ result: { value?: unknown }; exceptionDetails?: { exception?: { description?: string }; text: string } }>('Runtime.evaluate', {
        expression,
        returnByValue: true,
        awaitPromise: true,
      });
      if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
      return r.result.value as T;
    };
    const waitUntil = async (expression: string, what: string, timeoutMs = 30_000) => {
      for (const until = Date.now() + timeoutMs; ; await sleep(20)) {
        if (await evaluate<boolean>(expression)) return;
        if (Date.now() > until) throw new Error(`${what} within ${timeoutMs} ms`);
      }
    };
    const waitFor = (selector: string, timeoutMs?: number) =>
      waitUntil(`!!document.querySelector(${JSON.stringify(selector)})`, `${selector} did not show`, timeoutMs);
    // As Playwright's click does: wait until the element is there and enabled.
    const enabled = (selector: string) =>
      waitUntil(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); return !!el && !el.disabled; })()`, `${selector} was not enabled`);
    const key = (type: 'keyDown' | 'keyUp') =>
      cdp.send('Input.dispatchKeyEvent', { type, key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, ...(type === 'keyDown' ? { text: '\r' } : {}) });
    await cdp.send('Page.navigate', { url });
    return {
      cdp,
      browserPid: browser.pid!,
      browserWsUrl: version.webSocketDebuggerUrl,
      evaluate,
      waitFor,
      async click(selector) {
        await enabled(selector);
        await evaluate(`document.querySelector(${JSON.stringify(selector)}).click()`);
      },
      async fill(selector, text) {
        await enabled(selector);
        await evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); el.focus(); el.select(); })()`);
        await cdp.send('Input.insertText', { text });
      },
      async pressEnter() {
        await key('keyDown');
        await key('keyUp');
      },
      async close() {
        cdp.close();
        await close();
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}
