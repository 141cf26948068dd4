import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  applySessionSecurity,
  isAllowedPermissionCheck,
  isAllowedPermissionRequest,
  isAppUrl,
  isTrustedSender,
  withSecurityHeaders,
  type SecuredSession,
} from './security.js';

function directives(csp: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

describe('Content-Security-Policy', () => {
  const d = directives(CONTENT_SECURITY_POLICY);

  it('has the strict directives with exact sources', () => {
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(d.get('media-src')).toEqual(["'self'", 'blob:', 'mediastream:']);
  });

  it('allows no inline or evaluated script and no remote host anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|wasm-unsafe-eval|unsafe-hashes|strict-dynamic/);
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
    // style-src starts from 'self'; at most 'unsafe-inline' is added (see security.ts on why it is not needed).
    expect(d.get('style-src')?.[0]).toBe("'self'");
    expect(d.get('style-src')?.filter((s) => s !== "'self'" && s !== "'unsafe-inline'")).toEqual([]);
  });

  it('withSecurityHeaders replaces a CSP of any letter case and keeps the other headers', () => {
    const out = withSecurityHeaders({
      responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'], 'X-Content-Type-Options': ['sniff'] },
    });
    expect(out.responseHeaders).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      'X-Content-Type-Options': ['nosniff'],
      'Referrer-Policy': ['no-referrer'],
      'Cross-Origin-Opener-Policy': ['same-origin'],
    });
  });
});

/** Captures what applySessionSecurity installs, as Electron's Session would. */
function captureSession() {
  const captured: {
    headers?: (details: unknown, cb: (r: unknown) => void) => void;
    request?: (wc: unknown, permission: string, cb: (granted: boolean) => void, details: unknown) => void;
    check?: (wc: unknown, permission: string, origin: string, details: unknown) => boolean;
    device?: (details: unknown) => boolean;
  } = {};
  const ses = {
    webRequest: { onHeadersReceived: (l: never) => void (captured.headers = l) },
    setPermissionRequestHandler: (h: never) => void (captured.request = h),
    setPermissionCheckHandler: (h: never) => void (captured.check = h),
    setDevicePermissionHandler: (h: never) => void (captured.device = h),
  } as unknown as SecuredSession;
  applySessionSecurity(ses);
  const request = (permission: string, details: unknown, pageUrl = APP_ENTRY_URL): boolean => {
    let granted: boolean | undefined;
    captured.request!({ getURL: () => pageUrl }, permission, (g) => (granted = g), details);
    if (granted === undefined) throw new Error('the request handler did not answer');
    return granted;
  };
  return { captured, request };
}

describe('applySessionSecurity', () => {
  it('applies the CSP header through webRequest.onHeadersReceived', () => {
    const { captured } = captureSession();
    let response: { responseHeaders?: Record<string, string[]> } | undefined;
    captured.headers!({ url: 'app://pos/index.html', responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => (response = r as typeof response));
    expect(response?.responseHeaders?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(response?.responseHeaders?.['Content-Type']).toEqual(['text/html']);
  });

  it('grants the camera (video only) to the app page, and nothing else', () => {
    const { request } = captureSession();
    const camera = { requestingUrl: 'app://pos/index.html', isMainFrame: true, mediaTypes: ['video'], securityOrigin: 'app://pos/' };
    expect(request('media', camera)).toBe(true);
    expect(request('media', { ...camera, requestingUrl: 'app://pos/index.html#/scan' })).toBe(true);
    // microphone, or camera + microphone
    expect(request('media', { ...camera, mediaTypes: ['audio'] })).toBe(false);
    expect(request('media', { ...camera, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(request('media', { ...camera, mediaTypes: [] })).toBe(false);
    // other permissions, even for the app page
    for (const p of ['geolocation', 'notifications', 'display-capture', 'clipboard-read', 'fullscreen', 'openExternal', 'midi', 'pointerLock', 'unknown']) {
      expect(request(p, { requestingUrl: APP_ENTRY_URL, isMainFrame: true }), p).toBe(false);
    }
    // other origins and subframes
    expect(request('media', { ...camera, requestingUrl: 'https://evil.example/', securityOrigin: 'https://evil.example' })).toBe(false);
    expect(request('media', { ...camera, requestingUrl: 'file:///tmp/x.html', securityOrigin: 'file://' })).toBe(false);
    expect(request('media', { ...camera, requestingUrl: 'app://other/index.html', securityOrigin: 'app://other' })).toBe(false);
    expect(request('media', { ...camera, isMainFrame: false })).toBe(false);
    expect(request('media', { ...camera, securityOrigin: 'https://evil.example' })).toBe(false);
    // the page in the webContents must be the app's too
    expect(request('media', camera, 'https://evil.example/')).toBe(false);
  });

  it('permission checks: video media from the app origin only', () => {
    const { captured } = captureSession();
    const wc = { getURL: () => APP_ENTRY_URL };
    const check = (permission: string, origin: string, details: object) => captured.check!(wc, permission, origin, { isMainFrame: true, ...details });
    expect(check('media', 'app://pos', { mediaType: 'video', securityOrigin: 'app://pos/' })).toBe(true);
    expect(check('media', 'app://pos', { mediaType: 'audio' })).toBe(false);
    expect(check('media', 'app://pos', { mediaType: 'unknown' })).toBe(false);
    expect(check('media', 'https://evil.example', { mediaType: 'video' })).toBe(false);
    expect(check('geolocation', 'app://pos', {})).toBe(false);
    expect(check('notifications', 'app://pos', {})).toBe(false);
    expect(check('hid', 'app://pos', {})).toBe(false);
    expect(check('media', 'app://pos', { mediaType: 'video', embeddingOrigin: 'https://evil.example' })).toBe(false);
    expect(captured.check!(null, 'media', 'app://pos', { isMainFrame: true, mediaType: 'video' })).toBe(true);
    expect(captured.check!({ getURL: () => 'https://evil.example/' }, 'media', 'app://pos', { isMainFrame: true, mediaType: 'video' })).toBe(false);
  });

  it('denies every device (HID, USB, serial)', () => {
    const { captured } = captureSession();
    expect(captured.device!({ deviceType: 'hid', origin: 'app://pos' })).toBe(false);
    expect(captured.device!({ deviceType: 'usb', origin: 'app://pos' })).toBe(false);
  });

  it('the pure helpers agree', () => {
    expect(isAllowedPermissionRequest('media', undefined)).toBe(false);
    expect(isAllowedPermissionCheck('media', 'app://pos/', { mediaType: 'video' })).toBe(true);
  });
});

describe('isAppUrl / isTrustedSender', () => {
  it('recognises only the app origin', () => {
    expect(isAppUrl('app://pos/index.html')).toBe(true);
    expect(isAppUrl('app://pos')).toBe(true);
    expect(isAppUrl('app://pos.evil/index.html')).toBe(false);
    expect(isAppUrl('app://user@pos/index.html')).toBe(false);
    expect(isAppUrl('https://pos/index.html')).toBe(false);
    expect(isAppUrl('file:///work/dist/renderer/index.html')).toBe(false);
    expect(isAppUrl('')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('trusts the top frame of the app page only', () => {
    expect(isTrustedSender({ url: 'app://pos/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://pos/index.html#/manager', parent: null, detached: false })).toBe(true);
    expect(isTrustedSender({ url: 'app://pos/index.html', parent: { url: 'app://pos/index.html' } })).toBe(false);
    expect(isTrustedSender({ url: 'app://pos/index.html', parent: null, detached: true })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/evil.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: '', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});
