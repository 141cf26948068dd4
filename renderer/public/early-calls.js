// @ts-check
/**
 * The page's first calls to the terminal, made before the counter's code has
 * loaded. index.html runs this small classic script in its head, ahead of the
 * main bundle, so the status, who is signed in and the preferences are on
 * their way (and usually answered) while the browser still fetches, parses
 * and runs the counter's code: on a slow counter PC that is a few hundred
 * milliseconds the counter used to wait for these answers after its code had
 * run (issue 18: page load to the counter ready at 4x CPU).
 *
 * A plain file, copied as it is (Vite's public/ folder): a module script in
 * index.html would be bundled into the main bundle and wait for it. It leaves
 * the answers in `window.__earlyCalls` (the web host's fetch Responses, or
 * Electron's envelopes); the main bundle's transport hands each to the first
 * call of that method (src/api/early-calls.ts). It changes nothing: keeping
 * the token and clearing the address bar stay with src/api/token.ts.
 */
(() => {
  const METHODS = ['getStatus', 'whoAmI', 'getPreferences'];
  const bridge = /** @type {any} */ (window).pos;
  if (bridge) {
    /** @type {any} */ (window).__earlyCalls = { kind: 'electron', answers: Object.fromEntries(METHODS.map((m) => [m, bridge[m]({})])) };
    return;
  }
  const hash = location.hash.replace(/^#/, '');
  let token = hash ? new URLSearchParams(hash).get('token') : null;
  if (!token) {
    try {
      token = sessionStorage.getItem('pos.token'); // src/api/token.ts TOKEN_STORAGE_KEY
    } catch {
      return;
    }
  }
  if (!token) return;
  const call = (/** @type {string} */ method) =>
    fetch(`/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: '{}',
      cache: 'no-store',
    });
  /** @type {any} */ (window).__earlyCalls = { kind: 'http', answers: Object.fromEntries(METHODS.map((m) => [m, call(m)])) };
})();
