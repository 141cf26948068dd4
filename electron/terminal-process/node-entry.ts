/**
 * The terminal service as a plain Node child process (child_process.fork with
 * `serialization: 'advanced'`): the same serveTerminal as Electron's
 * utilityProcess entry, over the fork's IPC channel instead of a MessagePort.
 * The web host's `--service-process` and the tests run it.
 *
 * When the parent goes away (its IPC channel closes) the service closes and
 * exits: nobody could reach it any more, and it holds the data directory.
 */
import { routeConsoleToLog } from '../log/logger.js';
import { logProcessErrors } from '../log/process-errors.js';
import { startRuntime } from '../runtime.js';
import { privateUmask } from '../store/file-modes.js';
import type { MessageLink } from './protocol.js';
import { serveTerminal } from './serve.js';

if (!process.send) {
  process.stderr.write('node-entry.ts is started by the host with child_process.fork (it needs the IPC channel).\n');
  process.exit(2);
}
privateUmask();
routeConsoleToLog();
logProcessErrors();

let onMessage: (m: unknown) => void = () => {};
const link: MessageLink = {
  send: (m) => {
    // The channel may already be gone (the parent died): nothing to tell then.
    if (process.connected) process.send!(m);
  },
  onMessage: (l) => {
    onMessage = l;
  },
};
process.on('message', (m) => onMessage(m));
process.on('disconnect', () => onMessage({ t: 'close' }));
serveTerminal(link, { startRuntime, exit: (code) => process.exit(code) });
