/**
 * Child process for the isolation test: starts the runtime on the data
 * directory given as argv[2] (in whatever mode it holds), records every
 * server the process starts listening, prints one JSON line
 * {mode, listens, status} and exits.
 */
import { Server } from 'node:net';

const listens: unknown[] = [];
const listen = Server.prototype.listen;
Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  listens.push(args[0] ?? null);
  return (listen as (...a: unknown[]) => Server).apply(this, args);
} as typeof Server.prototype.listen;

const { startRuntime } = await import('../../electron/runtime.js');
const rt = await startRuntime({ dataDir: process.argv[2]!, tuning: { requestTimeoutMs: 1500 } });
const status = await rt.call('getStatus', {});
process.stdout.write(JSON.stringify({ mode: rt.mode, listens: listens.length, status }) + '\n');
await rt.close();
process.exit(0);
