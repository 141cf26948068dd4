/**
 * Where the camera's open-to-decode time goes (issue 18): opens the camera
 * scanner N times under CPU throttling and prints, per open, the page's own
 * timeline from the click: the dialog's effect ('camera-open'), the camera
 * list, getUserMedia, the video's play() and first frame ('playing'), every
 * frame drawn for decoding (size, draw time) and every decode attempt (its
 * duration, on the main thread or in a worker), to the decoded mark.
 *
 *   npx tsx bench/camera-timeline.ts [--rate 4] [--opens 5] [--renderer-dir A[,B]] [--quiet]
 *
 * With two renderer folders their opens alternate (A B A B ...), so both see the same load.
 */
import { chromium } from '@playwright/test';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UITPAS_DEMO_PASSHOLDERS } from '../sandbox/uitpas/demo-data.js';
import { fakeCameraArgs, writeFakeCamera } from '../e2e/fake-camera.js';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { startBuildTerminals } from './build-terminals.js';
import { openThrottled } from './lowend-bench.js';
import { CHROMIUM_ARGS, startSale, timeCameraReads } from './scan-bench.js';
import { median } from './stats.js';

/** Installed before the page's scripts: stamps the camera's steps on the page's clock into window.__cam. */
const CAMERA_PROBE = `(() => {
  const log = (window.__cam = []);
  const T = (what, ms) => log.push([what, performance.now(), ms ?? null]);
  const wrapAsync = (proto, name, label) => {
    const orig = proto[name];
    proto[name] = function (...args) { T(label + ' start'); return orig.apply(this, args).then((v) => { T(label + ' done'); return v; }); };
  };
  wrapAsync(MediaDevices.prototype, 'getUserMedia', 'getUserMedia');
  wrapAsync(MediaDevices.prototype, 'enumerateDevices', 'enumerateDevices');
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    T('video play()');
    this.addEventListener('loadedmetadata', () => T('video loadedmetadata ' + this.videoWidth + 'x' + this.videoHeight), { once: true });
    this.addEventListener('playing', () => T('video playing'), { once: true });
    return play.call(this);
  };
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...a) {
    const t = performance.now();
    const r = draw.apply(this, a);
    if (a[0] instanceof HTMLVideoElement) T('draw video ' + (a.length > 5 ? Math.round(a[3]) + 'x' + Math.round(a[4]) + ' -> ' : '') + this.canvas.width + 'x' + this.canvas.height, performance.now() - t);
    return r;
  };
  const gid = CanvasRenderingContext2D.prototype.getImageData;
  CanvasRenderingContext2D.prototype.getImageData = function (...a) {
    const t = performance.now();
    const r = gid.apply(this, a);
    T('getImageData ' + a[2] + 'x' + a[3], performance.now() - t);
    return r;
  };
  // The decode worker's answers carry what the decode took in the worker (renderer/src/scanner/camera-frame-decoder.ts).
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(...a) {
      super(...a);
      T('worker created');
      this.addEventListener('message', (e) => T('worker answer ' + (e.data?.code ? 'read ' + e.data.code.format : 'nothing') + (e.data?.error ? ' ' + e.data.error : ''), e.data?.ms));
    }
  };
  const pm = W.prototype.postMessage;
  W.prototype.postMessage = function (...a) { T('frame to worker'); return pm.apply(this, a); };
  const st = window.setTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    if (typeof ms === 'number' && ms > 30 && ms < 500) T('setTimeout ' + Math.round(ms));
    return st.call(window, fn, ms, ...rest);
  };
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) log.push(['long task', e.startTime, e.duration]); }).observe({ type: 'longtask' });
  } catch {}
})()`;

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '4' },
    opens: { type: 'string', default: '5' },
    // Built renderers to compare, comma-separated (default: dist/renderer): their opens alternate, A B A B..., under the same load.
    'renderer-dir': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const opens = Number(values.opens);
const dirs = (values['renderer-dir'] ?? '')
  .split(',')
  .filter(Boolean)
  .map((d) => resolve(d));
const variants = dirs.length > 0 ? dirs : [null];

const builds = await startBuildTerminals(variants, { loyalty: 'uitpas', tempPrefix: 'pwp-camtl-' });
const { terminals } = builds;
const camera = writeFakeCamera({ kind: 'qr', text: UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber }, 'timeline-qr');
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...fakeCameraArgs(camera)] });
try {
  const pages = [];
  for (const terminal of terminals) {
    const { page } = await openThrottled(browser, terminal.openUrl, rate, [CAMERA_PROBE]);
    await startSale(page);
    pages.push(page);
  }
  console.log(`CPU throttled ${rate}x; load average ${loadavg()[0]!.toFixed(1)}`);
  const all: number[][] = variants.map(() => []);
  const decodes: number[][] = variants.map(() => []);
  for (let i = 0; i <= opens; i++) {
    for (const [v, page] of pages.entries()) {
      const name = variants[v] ?? 'dist/renderer';
      await page.evaluate('window.__cam.length = 0; performance.clearMeasures()');
      const t0 = (await page.evaluate('performance.now()')) as number;
      const [read] = await timeCameraReads(page, 1);
      const ms = read!.openMs;
      if (i > 0) all[v]!.push(ms);
      if (i > 0 && Number.isFinite(read!.decodeMs)) decodes[v]!.push(read!.decodeMs);
      console.log(
        `\n## ${name} open ${i}${i === 0 ? ' (loads the chunk, left out)' : ''}: open to decoded ${ms.toFixed(0)} ms, worker decode ${read!.decodeMs.toFixed(1)} ms (load ${loadavg()[0]!.toFixed(1)})`,
      );
      if (values.quiet) continue;
      const log = (await page.evaluate('window.__cam')) as [string, number, number | null][];
      const marks = (await page.evaluate(`performance.getEntriesByType('mark').map((m) => [m.name, m.startTime, null])`)) as [string, number, number | null][];
      for (const [what, at, dur] of [...log, ...marks].sort((a, b) => a[1] - b[1])) {
        if (at < t0 - 5) continue;
        console.log(`  ${(at - t0).toFixed(1).padStart(8)} ms  ${what}${dur !== null ? ` (${dur.toFixed(1)} ms)` : ''}`);
      }
    }
  }
  console.log(`\nopen to decoded at ${rate}x, load ${loadavg()[0]!.toFixed(1)}:`);
  for (const [v, ms] of all.entries()) {
    const d = decodes[v]!;
    const worker = d.length > 0 ? `; the decode worker on the frame read: median ${median(d).toFixed(1)} ms [${d.map((x) => x.toFixed(1)).join(', ')}]` : '';
    console.log(
      `  ${variants[v] ?? 'dist/renderer'}: median ${median(ms).toFixed(0)} ms over ${ms.length} [${ms.map((x) => x.toFixed(0)).join(', ')}]${worker}`,
    );
  }
} finally {
  await browser.close();
  rmSync(dirname(camera), { recursive: true, force: true });
  await builds.stop();
}
