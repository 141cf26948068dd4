/**
 * Fills the long-log benchmark's cached database ahead of time:
 *   nice -n 10 npx tsx bench/longlog-prepare.ts 10000000 > /tmp/longlog-prepare.log 2>&1 &
 * (longlog-fixture.ts says where it goes and why it is kept).
 */
import { prepareLongLog } from './longlog-fixture.js';

const entries = Number(process.argv[2] ?? 10_000_000);
if (!Number.isInteger(entries) || entries < 1) throw new Error(`usage: longlog-prepare.ts <entries> (got ${process.argv[2]})`);
const log = prepareLongLog(entries, undefined, (m) => console.log(m));
console.log(log.made ? `made ${log.file} in ${log.fillSeconds} s` : `already there: ${log.file}`);
