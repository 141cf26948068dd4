/**
 * Entry of the terminal service's utility process (bundled to
 * dist/electron/terminal-service.cjs; the main process starts it with
 * utilityProcess.fork: shell/utility-service.ts). The runtime (SQLite, the
 * outbox, the adapters) lives here, off the main process: a crash here leaves
 * the window up, and the main process restarts the service.
 *
 * The main process's first message over `process.parentPort` carries the
 * MessagePort the whole protocol (terminal-process/protocol.ts) then runs on;
 * the service code is the same serveTerminal a Node child process runs in the
 * tests and behind the web host. The loyalty programs are reached through
 * Chromium's network stack (net.fetch in the utility process: the system's
 * proxy and certificate store).
 */
import { net, type MessagePortMain } from 'electron';
import type { FetchLike } from '../adapters/fetch-exchange.js';
import { routeConsoleToLog } from '../log/logger.js';
import { logProcessErrors } from '../log/process-errors.js';
import { startRuntime } from '../runtime.js';
import { privateUmask } from '../store/file-modes.js';
import type { MessageLink } from '../terminal-process/protocol.js';
import { serveTerminal } from '../terminal-process/serve.js';

privateUmask();
routeConsoleToLog();
logProcessErrors();

/** No cookies, never a balance from an HTTP cache, app:// never answers (Node's RequestInit type lacks `cache`; Electron's net.fetch takes it). */
const NO_STORE = { cache: 'no-store' } as Record<string, unknown>;
const utilityFetch: FetchLike = (url, init) => net.fetch(url, { ...init, ...NO_STORE, credentials: 'omit', bypassCustomProtocolHandlers: true });

process.parentPort.once('message', (e: { data: unknown; ports: MessagePortMain[] }) => {
  const port = e.ports[0];
  if (!port) {
    process.stderr.write('the terminal service was started without its MessagePort\n');
    process.exit(2);
  }
  const link: MessageLink = {
    send: (m) => port.postMessage(m),
    onMessage: (listener) => void port.on('message', (m) => listener(m.data)),
  };
  // The port closes when the main process goes away: nobody can reach the service then.
  port.on('close', () => process.exit(0));
  serveTerminal(link, { startRuntime, network: { fetch: utilityFetch }, exit: (code) => process.exit(code) });
  port.start();
});
