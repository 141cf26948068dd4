/**
 * `npm run bench` runs every benchmark at full size and prints its figures.
 * `npm run bench -- --quick` runs them at a small size (what the test suite
 * does, so the harness cannot rot). Benchmarks never run in `npm test` at
 * full size.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHAIN_FULL, CHAIN_QUICK, runChainBench } from './chain-bench.js';
import { COUNTER_QUICK, FULL_SIZE, runCounterBench } from './counter-bench.js';
import { DRAIN_FULL, DRAIN_QUICK, runDrainBench } from './drain-bench.js';
import { FULL_SIZE as MANAGER_FULL, MANAGER_QUICK, runManagerBench } from './manager-bench.js';
import { measureRendererSize } from './renderer-size.js';
import { printFigures } from './stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    // The long log's size (default 10,000,000; its fill is cached, bench/longlog-fixture.ts).
    'longlog-entries': { type: 'string' },
    // The built renderer the low-end benchmark's terminals serve (default dist/renderer).
    'renderer-dir': { type: 'string' },
    // Heap snapshots of the shift's service process and tab, after the first 100 sales and at the end.
    'snapshot-dir': { type: 'string' },
    // The low-end benchmark's throttling rates (default 1,4,6) and its shift's redemptions (0: no shift), e.g.
    // `--only lowend --rates 4 --shift 0` to compare two builds of the counter (with --renderer-dir).
    rates: { type: 'string' },
    shift: { type: 'string' },
  },
});
const quick = values.quick;
const snapshotDir = values['snapshot-dir'] ? resolve(values['snapshot-dir']) : undefined;
const only = values.only?.split(',');
// The issue-18 sections (longlog, lowend) are long and run only when named.
const want = (name: string, byDefault = true) => (only ? only.includes(name) : byDefault);

if (want('counter')) {
  printFigures('Counter (issue 2)', await runCounterBench(quick ? COUNTER_QUICK : FULL_SIZE));
}
if (want('renderer')) {
  printFigures('Renderer bundle (issue 2)', measureRendererSize(resolve('dist/renderer')));
}
if (want('drain')) {
  printFigures('Outbox drain (issue 3)', await runDrainBench(quick ? DRAIN_QUICK : DRAIN_FULL, (m) => console.log(`  ${m}`)));
}
if (want('scan')) {
  // Playwright and Chromium load only when this section runs.
  const { runScanBench, SCAN_FULL_SIZE, SCAN_QUICK } = await import('./scan-bench.js');
  printFigures('Scanning (issue 6): in Chromium, sandbox at zero latency', await runScanBench(quick ? SCAN_QUICK : SCAN_FULL_SIZE));
}
if (want('outage')) {
  // Playwright and Chromium load only when this section runs; 10,000 rows drain in about five minutes at 100 requests/s.
  const { runOutageBench, OUTAGE_FULL, OUTAGE_QUICK } = await import('./outage-bench.js');
  printFigures(
    'After an outage (issue 20): the queue drains while the cashier sells, in Chromium, sandbox at zero latency',
    await runOutageBench(quick ? OUTAGE_QUICK : OUTAGE_FULL, (m) => console.log(`  ${m}`)),
  );
}
if (want('manager')) {
  // Filling a million chained log entries takes a few minutes on two cores.
  printFigures('Manager desk (issue 7)', await runManagerBench(quick ? MANAGER_QUICK : MANAGER_FULL));
}
if (want('chain')) {
  // A throw-away PostgreSQL (Debian's postgresql package); a million entries take a few minutes.
  printFigures('Chain shipping to PostgreSQL (issue 16)', await runChainBench(quick ? CHAIN_QUICK : CHAIN_FULL, (m) => console.log(`  ${m}`)));
}
if (want('longlog', false)) {
  const { LONGLOG_FULL, LONGLOG_QUICK, runLongLogBench } = await import('./longlog-bench.js');
  const entries = values['longlog-entries'] ? Number(values['longlog-entries']) : undefined;
  const size = quick ? LONGLOG_QUICK : LONGLOG_FULL;
  printFigures('Years of log (issue 18)', await runLongLogBench(entries ? { ...size, entries } : size, (m) => console.log(`  ${m}`)));
}
if (want('lowend', false)) {
  // Chromium with its renderer's CPU throttled (CDP) and the terminal on one core (taskset).
  const { LOWEND_FULL, LOWEND_QUICK, runLowEndBench } = await import('./lowend-bench.js');
  const base = quick ? LOWEND_QUICK : LOWEND_FULL;
  const shift = values.shift === undefined ? base.shift : Number(values.shift) > 0 && base.shift ? { ...base.shift, redemptions: Number(values.shift) } : null;
  const size = {
    ...base,
    rates: values.rates ? values.rates.split(',').map(Number) : base.rates,
    shift,
    rendererDir: values['renderer-dir'] ? resolve(values['renderer-dir']) : undefined,
  };
  printFigures('Cheap counter PC: slow CPU and a shift (issue 18)', await runLowEndBench({ ...size, snapshotDir }, (m) => console.log(`  ${m}`)));
}
if (want('shift', false)) {
  // The low-end benchmark's shift alone (memory over 1,000 sales through the UI).
  const { LOWEND_FULL, LOWEND_QUICK, runLowEndBench } = await import('./lowend-bench.js');
  const size = quick ? LOWEND_QUICK : LOWEND_FULL;
  const rendererDir = values['renderer-dir'] ? resolve(values['renderer-dir']) : undefined;
  printFigures(
    'Cheap counter PC: memory over a shift (issue 18)',
    await runLowEndBench({ ...size, rates: [], rendererDir, snapshotDir }, (m) => console.log(`  ${m}`)),
  );
}
