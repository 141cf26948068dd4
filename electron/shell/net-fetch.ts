/**
 * The adapters' requests in the Electron app go through Chromium's network
 * stack (net.fetch): the system's proxy settings (PAC and WPAD included) and
 * the OS certificate store, as a store's IT has set them up for browsers.
 * The adapters' own HTTP logic (timeouts, failure classification) stays in
 * electron/adapters/fetch-exchange.ts, tested under Node; this is the thin
 * shell around Electron's call, tested with `electron` mocked.
 *
 * A session of its own (in memory, never on disk), apart from the renderer's:
 * no cookie a program sets is ever seen by the screen, and the screen's
 * Content-Security-Policy hooks do not touch the programs' answers.
 */
import { session, type Session } from 'electron';
import type { FetchLike } from '../adapters/fetch-exchange.js';

/** Not "persist:": nothing of it is written to the profile. */
export const LOYALTY_SESSION_PARTITION = 'pwp-loyalty-programs';

export function chromiumFetch(): FetchLike {
  let ses: Session | null = null; // created on first use: sessions exist only once the app is ready
  return (url, init) => {
    // cache: false: a balance must never come from Chromium's HTTP cache.
    ses ??= session.fromPartition(LOYALTY_SESSION_PARTITION, { cache: false });
    // No cookies either way; app:// handlers never answer.
    return ses.fetch(url, { ...init, credentials: 'omit', bypassCustomProtocolHandlers: true });
  };
}
