/**
 * Tests only: one terminal as a child process that sells and ships, so a test
 * can SIGKILL it for real. Starts the real runtime (training sandbox) with
 * shipping, sells `--sales N` times, waits for its queue to drain, and prints
 * one JSON line per event on stdout:
 *   {"ready":{"terminalId":"T-...","file":"..."}}
 *   {"sold":N}
 *   {"state":{...ShippingState}}   (each change)
 * It keeps shipping until SIGTERM. PWP_CHAIN_HOLD (see shipper.ts) parks the
 * shipper mid-batch for the test's SIGKILL.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { DATABASE_FILE, startRuntime } from '../../runtime.js';
import { Store } from '../../store/store.js';
import { ensureManager, sellOne } from './sell.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    ship: { type: 'string' },
    store: { type: 'string', default: 'S-1' },
    sales: { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '5' },
  },
});
const dataDir = values['data-dir']!;
const say = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

// The store this terminal belongs to (a provisioning step in real life).
const pre = Store.open(join(dataDir, DATABASE_FILE));
pre.setSetting('store_id', values.store!);
pre.setSetting('store_name', `Store ${values.store}`);
pre.close();

const rt = await startRuntime({
  dataDir,
  tuning: { probeIntervalMs: 100, scrypt: { N: 1 << 10, r: 8, p: 1 } },
  shipping: {
    postgresUrl: values.ship!,
    tuning: { batchSize: Number(values['batch-size']), pollMs: 50, retryMinMs: 100, retryMaxMs: 400, heartbeatMs: 1000, cursorSaveMs: 0 },
  },
});
// Installed before the first line goes out: the parent may send SIGTERM as soon as it has read
// any line (it used to be installed after {"sold"}, and a SIGTERM read right after that line
// sometimes beat it, killing the child by the signal instead of a clean exit).
process.on('SIGTERM', () => {
  void rt.close().then(() => process.exit(0));
});
const shipper = rt.shipping.current();
say({ ready: { terminalId: rt.store.getSetting('terminal_id'), file: rt.store.db.name } });
shipper.onState((state) => say({ state }));
say({ state: shipper.state() });

const manager = ensureManager(rt);
for (let i = 0; i < Number(values.sales); i++) await sellOne(rt, i, manager);
while (rt.waitingCount() > 0) await new Promise((r) => setTimeout(r, 50));
say({ sold: Number(values.sales) });
