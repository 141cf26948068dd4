/**
 * The renderer's Content-Security-Policy, one string for both hosts (the
 * Electron window and the loopback web host), so the page runs under the
 * same rules in the e2e tests as in the app.
 *  - no inline or remote script, no eval;
 *  - style-src 'self' only: React's style props (a chart's bar heights, the
 *    virtual log's row positions) are set through the CSSOM, which the
 *    policy does not govern; no inline <style> or style
 *    attribute in markup is used (the e2e fixtures fail on any violation);
 *  - media from blob:/mediastream: for the camera preview;
 *  - workers: none named, so worker-src falls back to script-src 'self': the
 *    camera's decode worker is one of the app's own files.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
