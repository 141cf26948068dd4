/**
 * Serves the built renderer (dist/renderer) on `app://pos/`.
 *
 * Why a custom protocol instead of file://:
 * - Origin. Every file:// page shares one opaque origin, so "the app's own
 *   page" cannot be told apart from any other local HTML file for the IPC
 *   sender check and the camera permission. `app://pos` is a real origin that
 *   only this handler serves, and only from dist/renderer.
 * - CSP as a header. webRequest.onHeadersReceived never fires for file://
 *   (electron/electron#23485), so a header CSP is impossible there; here the
 *   handler puts it on every response itself (and the session's
 *   onHeadersReceived adds it too, wherever Electron runs it).
 * - Vite's build (ES modules, absolute `/assets/...` paths) works on a
 *   standard scheme; module scripts do not load over file://.
 * - Electron's security checklist recommends it ("Avoid usage of the file://
 *   protocol and prefer usage of custom protocols").
 *
 * The scheme is registered as privileged (standard + secure) before the app
 * is ready, which makes the page a secure context: getUserMedia (camera)
 * requires one.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable, type Writable } from 'node:stream';
import type { CustomScheme, Protocol } from 'electron';
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from './security.js';

export const APP_SCHEME_DEFINITION: CustomScheme = Object.freeze({
  scheme: APP_SCHEME,
  privileges: Object.freeze({
    standard: true, // real origin, relative URLs resolve
    secure: true, // secure context: camera allowed, no mixed-content downgrade
    supportFetchAPI: true,
    corsEnabled: true, // module scripts (Vite emits crossorigin) are CORS-mode fetches
    codeCache: true,
    // Deliberately NOT bypassCSP, allowServiceWorkers, stream or allowExtensions.
  }),
}) as CustomScheme;

/** Must run before app 'ready' (Electron's rule). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_DEFINITION]);
}

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

export function mimeTypeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps an `app://pos/...` URL to a file inside `rendererDir`, or null when
 * the URL is not the app's or would leave the folder. A path without a file
 * extension is the single-page app's own route and maps to index.html.
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '' || path.posix.extname(pathname) === '') pathname = '/index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } });
}

/** A CSV export opened by its one-time ticket (ManagerDesk.openExport). */
export interface ExportDownload {
  filename: string;
  contentType: string;
  write(out: Writable): Promise<unknown>;
}
/** The terminal service runs in its own process (terminal-process/): the download is opened there, hence maybe a promise. */
export type OpenExport = (ticket: string) => ExportDownload | null | Promise<ExportDownload | null>;

const EXPORT_PREFIX = '/api/export/';

/**
 * `app://pos/api/export/<file>.csv?ticket=…`: the same download link the web
 * host serves, so the manager screen builds one URL for both. The answer is
 * an attachment: Electron's download handling asks the manager where to save
 * it (a save dialog), and the CSV is streamed, never built in memory.
 */
async function exportResponse(url: URL, openExport: OpenExport | undefined): Promise<Response> {
  const download = (await openExport?.(url.searchParams.get('ticket') ?? '')) ?? null;
  if (!download) return textResponse(410, 'This export link was used already or has expired: export again.');
  const pass = new PassThrough();
  download.write(pass).catch((e: unknown) => pass.destroy(e instanceof Error ? e : new Error(String(e))));
  return new Response(Readable.toWeb(pass) as ReadableStream<Uint8Array>, {
    status: 200,
    headers: {
      'Content-Type': download.contentType,
      'Content-Disposition': `attachment; filename="${download.filename.replace(/[^A-Za-z0-9_.-]/g, '_')}"`,
      'Cache-Control': 'no-store',
      ...SECURITY_HEADERS,
    },
  });
}

/** The protocol handler: GET/HEAD of files in rendererDir, and export downloads, with the security headers. */
export function createAppRequestHandler(rendererDir: string, openExport?: OpenExport): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed');
    const u = new URL(request.url);
    if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.pathname.startsWith(EXPORT_PREFIX)) return exportResponse(u, openExport);
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return textResponse(404, 'Not found');
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      return textResponse(404, 'Not found');
    }
    const headers = { 'Content-Type': mimeTypeFor(file), 'Cache-Control': 'no-cache', ...SECURITY_HEADERS };
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}

/** Must run after app 'ready'. Serves rendererDir on app://pos/ for the default session. */
export function serveRenderer(protocol: Pick<Protocol, 'handle'>, rendererDir: string, openExport?: OpenExport): void {
  protocol.handle(APP_SCHEME, createAppRequestHandler(rendererDir, openExport));
}
