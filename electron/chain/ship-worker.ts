/**
 * The shipper's worker thread: opens its own connection to the terminal's
 * SQLite file and runs the ship loop. Messages in: {type:'kick'}, {type:'stop'}.
 * Messages out: {type:'state', state}, {type:'stopped'}.
 *
 * Its connection writes only the shipping tables, rarely (once a second at
 * most while catching up), with synchronous=NORMAL: losing the last cursor
 * write to a power cut only means re-sending a batch the chain already has,
 * which is a no-op.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalShipStore } from './local-store.js';
import { ShipLoop } from './ship-loop.js';
import type { ShipLoopOptions } from './ship-options.js';
import { openSqlite } from '../store/sqlite.js';

export interface ShipWorkerData {
  file: string;
  options: ShipLoopOptions;
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('ship-worker runs as a worker thread');
  const data = workerData as ShipWorkerData;
  const db = openSqlite(data.file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const loop = new ShipLoop(new LocalShipStore(db), data.options, (state) => port.postMessage({ type: 'state', state }));
  port.postMessage({ type: 'state', state: loop.snapshot() });
  port.on('message', (m: { type: string }) => {
    if (m.type === 'kick') loop.kick();
    if (m.type === 'stop') void loop.stop();
  });
  void loop.run().finally(() => {
    db.close();
    port.postMessage({ type: 'stopped' });
    port.close();
  });
}

main();
