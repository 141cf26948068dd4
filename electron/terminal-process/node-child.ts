/**
 * Starts the terminal service as a Node child process (node-entry.ts through
 * tsx, with child_process.fork's IPC channel as the link): the web host's
 * `--service-process` and the tests. Electron uses utilityProcess instead
 * (shell/utility-service.ts); the protocol and the service code are the same.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MessageLink } from './protocol.js';
import type { ServiceChild, ServiceExit, SpawnService } from './supervisor.js';

const ENTRY = fileURLToPath(new URL('./node-entry.ts', import.meta.url));
// The service runs from the sources: tsx's loader, named by file URL so it resolves from any cwd.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface NodeServiceOptions {
  /** The child's environment (tests arm failpoints here); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

export function nodeServiceSpawner(opts: NodeServiceOptions = {}): SpawnService {
  return () => forkService(opts.env ?? process.env);
}

function forkService(env: NodeJS.ProcessEnv): ServiceChild {
  const child = fork(ENTRY, [], {
    execArgv: ['--import', TSX_LOADER],
    serialization: 'advanced',
    env,
    // stdout is the host's interface (the web host prints its URL there): the service writes none of it.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let listener: (m: unknown) => void = () => {};
  child.on('message', (m) => listener(m));
  // A send racing the child's death fails here instead of throwing: the exit handler answers what was in flight.
  child.on('error', () => {});
  const link: MessageLink = {
    send: (m) => {
      if (child.connected) child.send(m as object, (err) => void err);
    },
    onMessage: (l) => {
      listener = l;
    },
  };
  const exited = new Promise<ServiceExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    link,
    pid: child.pid,
    onExit: (l) => void exited.then(l),
    kill: () => void child.kill('SIGKILL'),
  };
}
