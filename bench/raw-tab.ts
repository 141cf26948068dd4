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
 *
 * The low-end benchmark's page loads are timed in such tabs too, each in a
 * fresh context (openBareTab), beside Playwright's: a page load in a tab that
 * Playwright drives took 12-49% longer at 4x CPU on the same build (issue 18,
 * README), time a counter's window never spends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

/**
 * Switches Playwright gives the Chromium it launches (its chromiumSwitches) that change a page's
 * timing: no background throttling of timers or renderers, no paint holding, no IPC flood guard.
 * A bare tab started with them differs from a Playwright tab only by what Playwright attaches.
 */
export const PLAYWRIGHT_TIMING_SWITCHES = [
  '--disable-field-trial-config',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-back-forward-cache',
  '--disable-renderer-backgrounding',
  '--disable-ipc-flooding-protection',
  '--allow-pre-commit-input',
  '--disable-hang-monitor',
  '--disable-features=PaintHolding,ThirdPartyStoragePartitioning,OptimizationHints,MediaRouter,LensOverlay',
  '--force-color-profile=srgb',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
];

/** A Chromium with its DevTools port open and nothing attached to its pages. */
export interface BareBrowser {
  port: number;
  process: ChildProcess;
  /** The browser's own DevTools endpoint (Target: contexts and tabs; Tracing: memory dumps of every process). */
  browserWsUrl: string;
  /** Stops the browser and its helper processes, and removes its profile. */
  close(): Promise<void>;
}

export async function launchBareBrowser(chromiumArgs: string[]): Promise<BareBrowser> {
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
    const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
    return { port, process: browser, browserWsUrl: version.webSocketDebuggerUrl, close };
  } catch (e) {
    await close();
    throw e;
  }
}

type Evaluate = <T = unknown>(expression: string) => Promise<T>;

function evaluator(cdp: CdpClient): Evaluate {
  return async <T>(expression: string): Promise<T> => {
    const r = await cdp.send<{ result: { value?: unknown }; exceptionDetails?: { exception?: { description?: string }; text: string } }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  };
}

/** A tab in a fresh browser context of a bare browser (no cache, no storage), with only Page enabled. */
export interface BareTab {
  cdp: CdpClient;
  evaluate: Evaluate;
  /** Closes the tab and discards its context. */
  close(): Promise<void>;
}

/**
 * Opens `url` in a new tab of its own fresh context, its main thread throttled `rate`x, with
 * `initScripts` run before the page's own (Page.addScriptToEvaluateOnNewDocument, as Playwright's
 * addInitScript). Only the Page domain is enabled; Runtime.evaluate and Emulation need no domain.
 */
export async function openBareTab(browser: BareBrowser, url: string, o: { rate: number; initScripts: string[] }): Promise<BareTab> {
  const root = await connectCdp(browser.browserWsUrl);
  let contextId: string | null = null;
  let targetId: string | null = null;
  let cdp: CdpClient | null = null;
  const close = async () => {
    cdp?.close();
    if (targetId) await root.send('Target.closeTarget', { targetId });
    if (contextId) await root.send('Target.disposeBrowserContext', { browserContextId: contextId });
    root.close();
  };
  try {
    contextId = (await root.send<{ browserContextId: string }>('Target.createBrowserContext', {})).browserContextId;
    targetId = (
      await root.send<{ targetId: string }>('Target.createTarget', {
        url: 'about:blank',
        browserContextId: contextId,
        width: 1280,
        height: 800,
        newWindow: true,
      })
    ).targetId;
    cdp = await connectCdp(`ws://127.0.0.1:${browser.port}/devtools/page/${targetId}`);
    await cdp.send('Page.enable');
    for (const source of o.initScripts) await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: o.rate });
    await cdp.send('Page.navigate', { url });
    return { cdp, evaluate: evaluator(cdp), close };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function openRawTab(url: string, chromiumArgs: string[]): Promise<RawTab> {
  const bare = await launchBareBrowser(chromiumArgs);
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${bare.port}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('Chromium opened no tab');
    const cdp = await connectCdp(page.webSocketDebuggerUrl);
    const evaluate = evaluator(cdp);
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
      browserPid: bare.process.pid!,
      browserWsUrl: bare.browserWsUrl,
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
        await bare.close();
      },
    };
  } catch (e) {
    await bare.close();
    throw e;
  }
}
