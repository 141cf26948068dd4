/**
 * The main process's side of the utility process: starts
 * dist/electron/terminal-service.cjs with Electron's utilityProcess and hands
 * it one end of a MessageChannelMain (the other stays here). The supervisor
 * (terminal-process/supervisor.ts) speaks the protocol over it and restarts
 * the service when it dies; a Node child process (terminal-process/node-child.ts)
 * is the same thing for the web host and the tests.
 */
import { MessageChannelMain, utilityProcess } from 'electron';
import type { MessageLink } from '../terminal-process/protocol.js';
import type { ServiceChild, ServiceExit, SpawnService } from '../terminal-process/supervisor.js';

export function utilityServiceSpawner(entry: string): SpawnService {
  return (): ServiceChild => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'Pay with Points terminal service', stdio: 'inherit' });
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage({ t: 'port' }, [port2]);
    let listener: (m: unknown) => void = () => {};
    port1.on('message', (e) => listener(e.data));
    port1.start();
    // utilityProcess reports an exit code only (a crash is a non-zero code).
    const exited = new Promise<ServiceExit>((resolve) => child.once('exit', (code) => resolve({ code, signal: null })));
    void exited.then(() => port1.close());
    const link: MessageLink = {
      send: (m) => port1.postMessage(m),
      onMessage: (l) => {
        listener = l;
      },
    };
    return {
      link,
      get pid() {
        return child.pid;
      },
      onExit: (l) => void exited.then(l),
      kill: () => void child.kill(),
    };
  };
}
