/**
 * `npm run chain -- <command> --postgres URL ...`: the chain administrator's tool.
 *
 *   migrate --postgres URL              create / update the central schema (owner's role)
 *   grant   --postgres URL [--role R]   give the terminals' role (default pwp_terminal)
 *                                       INSERT and SELECT only
 *   verify  --postgres URL [--stale-after-hours H] [--json]
 *                                       check every terminal's chain; exit 1 on any problem
 *   report  --postgres URL --day YYYY-MM-DD [--out FILE]
 *                                       the chain's end of day per store and in total (CSV)
 *
 * Exit codes: 0 fine, 1 a problem found (verify), 2 bad usage or the database
 * could not be used (the message says why).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEFAULT_TERMINAL_ROLE, migrateCentral, terminalGrants } from './central-schema.js';
import { chainDayReport } from './central-report.js';
import { verifyCentral } from './central-verify.js';
import { checkPostgresUrl, toChainError } from './pg-errors.js';

const USAGE = `usage: npm run chain -- migrate|grant|verify|report --postgres postgres://user:password@host:5432/db [options]
  grant:  --role NAME (default ${DEFAULT_TERMINAL_ROLE})
  verify: --stale-after-hours H (default 24), --json
  report: --day YYYY-MM-DD (required), --out FILE (default: stdout)`;

export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        postgres: { type: 'string' },
        role: { type: 'string', default: DEFAULT_TERMINAL_ROLE },
        'stale-after-hours': { type: 'string', default: '24' },
        json: { type: 'boolean', default: false },
        day: { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  const url = values.postgres ?? process.env.PWP_CHAIN_POSTGRES;
  if (!command || !['migrate', 'grant', 'verify', 'report'].includes(command) || !url) {
    err(`${USAGE}\n`);
    return 2;
  }
  const stale = Number(values['stale-after-hours']);
  if (!Number.isFinite(stale) || stale <= 0) {
    err('--stale-after-hours must be a positive number\n');
    return 2;
  }
  if (command === 'report' && !values.day) {
    err(`report needs --day YYYY-MM-DD\n${USAGE}\n`);
    return 2;
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 15_000, application_name: `pwp-chain ${command}` });
  client.on('error', () => {});
  try {
    checkPostgresUrl(url);
    await client.connect();
    if (command === 'migrate') {
      const r = await migrateCentral(client);
      out(r.from === r.to ? `The chain schema is current (version ${r.to}).\n` : `The chain schema went from version ${r.from} to ${r.to}.\n`);
      return 0;
    }
    if (command === 'grant') {
      for (const sql of terminalGrants(values.role!)) await client.query(sql);
      out(`Role ${values.role} may now INSERT and SELECT the chain's tables (never UPDATE or DELETE).\n`);
      return 0;
    }
    if (command === 'verify') {
      const report = await verifyCentral(client, { staleAfterMs: stale * 3600_000 });
      if (values.json) out(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const t of report.terminals)
          out(
            `${t.intact ? 'ok     ' : 'PROBLEM'} ${t.terminalId} (store ${t.storeId}): ${t.entries} entries, last ${t.lastSeq}, last contact ${t.lastContactAt ?? 'never'}\n`,
          );
        for (const p of report.problems) out(`  ${p.kind}: ${p.message}\n`);
        out(
          report.ok
            ? `Intact: ${report.entries} entries from ${report.terminals.length} terminals (${Math.round(report.durationMs)} ms).\n`
            : `NOT INTACT: ${report.problems.length} problem(s) in ${report.entries} entries.\n`,
        );
      }
      return report.ok ? 0 : 1;
    }
    const report = await chainDayReport(client, values.day!);
    if (values.out) writeFileSync(values.out, report.csv);
    else out(report.csv);
    if (report.missing.length > 0) err(`Not in the report yet (no end of day shipped for ${values.day}): ${report.missing.join(', ')}\n`);
    return 0;
  } catch (e) {
    const ce = e instanceof Error && /--day must be/.test(e.message) ? e : toChainError(e, url);
    err(`${ce.message}\n`);
    return 2;
  } finally {
    await client.end().catch(() => {});
  }
}

const invokedDirectly = process.argv[1] && /chain[/\\]cli\.(ts|js|cjs)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      // A command-line tool's own output (stderr), not the terminal's log.
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(2);
    },
  );
}
