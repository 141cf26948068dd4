/**
 * Fills the long-log benchmark's cached database ahead of time:
 *   nice -n 10 npx tsx bench/longlog-prepare.ts --entries 10000000 > /tmp/longlog-prepare.log 2>&1 &
 * (longlog-fixture.ts says where it goes and why it is kept).
 */
import { parseArgs } from 'node:util';
import { prepareLongLog } from './longlog-fixture.js';

const USAGE = 'usage: longlog-prepare.ts [--entries N] (default 10000000)';

function entriesFromArgs(): number {
  try {
    const { values } = parseArgs({ options: { entries: { type: 'string', default: '10000000' } }, allowPositionals: false });
    const entries = Number(values.entries);
    if (!Number.isInteger(entries) || entries < 1) throw new Error(`--entries must be a whole number of at least 1 (got ${values.entries})`);
    return entries;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const log = prepareLongLog(entriesFromArgs(), undefined, (m) => console.log(m));
console.log(log.made ? `made ${log.file} in ${log.fillSeconds} s` : `already there: ${log.file}`);
