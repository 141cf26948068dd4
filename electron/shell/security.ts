/**
 * The shell's security policy, in one place: the app's own origin, the
 * Content-Security-Policy, the permission handlers (camera only, only for
 * the app's own page) and the IPC sender check.
 *
 * This module imports only *types* from `electron`, so it loads in plain
 * Node (tests).
 */
import { CONTENT_SECURITY_POLICY } from '../security-policy.js';
import type { OnHeadersReceivedListenerDetails, HeadersReceivedResponse, PermissionCheckHandlerHandlerDetails, Session, WebContents } from 'electron';

/**
 * The renderer is served from a privileged custom scheme, `app://pos/`,
 * rather than file:// (see protocol.ts for why). Everything the app trusts
 * is keyed on this origin.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'pos';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * True when `url` is on the app's own origin (`app://pos/...`). Compared by
 * parts: Node's URL gives `origin === 'null'` for non-special schemes, so
 * `.origin` cannot be used here.
 */
export function isAppUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url === '') return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/**
 * The Content-Security-Policy is the one shared with the web host
 * (electron/security-policy.ts), so the renderer runs under the same rules
 * in the e2e tests (Chromium + web host) as in the app; re-exported here.
 * Sent as a response header, never only a <meta> tag: frame-ancestors is
 * ignored in <meta>, and a header applies before any byte of the page runs.
 *
 * style-src is 'self' without 'unsafe-inline': React applies the `style`
 * prop through the CSSOM (element.style.setProperty), which CSP does not
 * govern; Vite's production build emits CSS files, not <style> tags;
 * the camera scanner sets no style at all (its decode worker is a script of
 * the app's own, allowed by script-src 'self'). The e2e
 * fixtures fail any test whose page reports a policy violation.
 */
export { CONTENT_SECURITY_POLICY };

/** Response headers for the app's own files (used by the protocol handler too). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
});

/**
 * `onHeadersReceived` listener: replaces any CSP a response carries (in any
 * letter case) with the app's. Applied to every response of the session:
 * the only page is the app's own, and a stricter policy on anything else
 * (which navigation blocking should make impossible) can only help.
 */
export function withSecurityHeaders(details: Pick<OnHeadersReceivedListenerDetails, 'responseHeaders'>): HeadersReceivedResponse {
  const out: Record<string, string[]> = {};
  const replaced = new Set(Object.keys(SECURITY_HEADERS).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(details.responseHeaders ?? {})) {
    if (!replaced.has(k.toLowerCase())) out[k] = v;
  }
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) out[k] = [v];
  return { responseHeaders: out };
}

/** What Electron passes to a permission *request* handler (media requests add the two optional fields). */
export interface PermissionRequestDetailsLike {
  requestingUrl?: string;
  isMainFrame?: boolean;
  mediaTypes?: ReadonlyArray<'video' | 'audio'>;
  securityOrigin?: string;
}

/**
 * Allow a permission *request* only for the camera (media, video only: no
 * microphone), only from the app's own page in the main frame.
 */
export function isAllowedPermissionRequest(permission: string, details: PermissionRequestDetailsLike | undefined, webContentsUrl?: string): boolean {
  if (permission !== 'media' || !details) return false;
  const types = details.mediaTypes ?? [];
  if (types.length === 0 || !types.every((t) => t === 'video')) return false;
  if (details.isMainFrame === false) return false;
  if (!isAppUrl(details.requestingUrl)) return false;
  if (details.securityOrigin !== undefined && !isAppUrl(details.securityOrigin)) return false;
  if (webContentsUrl !== undefined && !isAppUrl(webContentsUrl)) return false;
  return true;
}

/**
 * Allow a permission *check* (e.g. whether camera labels may be listed)
 * only for video media, from the app's origin. Everything else is denied.
 */
export function isAllowedPermissionCheck(
  permission: string,
  requestingOrigin: string,
  details: Partial<PermissionCheckHandlerHandlerDetails> | undefined,
  webContentsUrl?: string,
): boolean {
  if (permission !== 'media') return false;
  if (details?.mediaType !== 'video') return false;
  if (!isAppUrl(requestingOrigin)) return false;
  if (details.securityOrigin !== undefined && !isAppUrl(details.securityOrigin)) return false;
  if (details.embeddingOrigin !== undefined && !isAppUrl(details.embeddingOrigin)) return false;
  if (webContentsUrl !== undefined && !isAppUrl(webContentsUrl)) return false;
  return true;
}

/** The parts of a session the policy touches (a structural subset of Electron's Session). */
export type SecuredSession = {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
} & Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

function urlOf(wc: Pick<WebContents, 'getURL'> | null | undefined): string | undefined {
  if (!wc) return undefined;
  try {
    return wc.getURL();
  } catch {
    return '';
  }
}

/** Installs the CSP and the permission handlers on a session. */
export function applySessionSecurity(ses: SecuredSession): void {
  ses.webRequest.onHeadersReceived((details, callback) => callback(withSecurityHeaders(details)));
  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    callback(isAllowedPermissionRequest(permission, details as PermissionRequestDetailsLike, urlOf(webContents)));
  });
  ses.setPermissionCheckHandler((webContents, permission, requestingOrigin, details) =>
    isAllowedPermissionCheck(permission, requestingOrigin, details, urlOf(webContents)),
  );
  // WebHID / WebUSB / Web Serial: never. A USB barcode scanner types as a
  // keyboard and needs no device permission.
  ses.setDevicePermissionHandler(() => false);
}

/** The parts of an IPC sender frame (Electron's WebFrameMain) the check reads. */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly detached?: boolean;
}

/**
 * True only for the app's own page in a top-level frame: the URL is on the
 * app's origin, the frame has no parent (no iframe can call the service) and
 * is still attached. A missing frame (navigated away or destroyed) is
 * untrusted.
 */
export function isTrustedSender(frame: SenderFrameLike | null | undefined): boolean {
  if (!frame) return false;
  if (frame.detached === true) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}
