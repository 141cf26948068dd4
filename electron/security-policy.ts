/**
 * The renderer's Content-Security-Policy, one string for both hosts (the
 * Electron window and the loopback web host), so the page runs under the
 * same rules in the e2e tests as in the app.
 *  - no inline or remote script, no eval;
 *  - style-src allows 'unsafe-inline' only for style attributes that React
 *    sets from code (e.g. a chart's bar heights); no inline <style> injection
 *    is used by the app;
 *  - media from blob:/mediastream: for the camera preview.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
