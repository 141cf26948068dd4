/**
 * The chain's central schema: numbered SQL files (sql/NNN_name.sql), applied
 * in order, each in its own transaction, recorded in pwp.schema_migrations,
 * all under one PostgreSQL advisory lock, so a hundred terminals starting at
 * once (or an administrator's `npm run chain -- migrate`) never race: the
 * first applies, the others wait and then find nothing to do.
 * Never edit a released file; add the next number.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClientBase } from 'pg';
import { ChainError, toChainError } from './pg-errors.js';

/** pg_advisory_lock key: 'PWP1' as an integer. Any number works; it must just be the same everywhere. */
export const MIGRATION_LOCK_KEY = 0x50575031;

/** The role `npm run chain -- grant` gives the terminals by default. */
export const DEFAULT_TERMINAL_ROLE = 'pwp_terminal';

export interface CentralMigration {
  version: number;
  name: string;
  sql: string;
}

/** Where the SQL files are: beside this module in the sources, dist/electron/chain-sql in the bundle. */
function sqlDir(): string {
  for (const rel of ['./sql/', './chain-sql/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  throw new Error('The chain schema files (electron/chain/sql) are missing from this build.');
}

let cached: CentralMigration[] | null = null;

export function centralMigrations(): CentralMigration[] {
  if (cached) return cached;
  const dir = sqlDir();
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  cached = files.map((f, i) => {
    const version = Number(f.slice(0, 3));
    // Numbered without holes: a missing file would silently skip a change.
    if (version !== i + 1) throw new Error(`chain schema file ${f} is out of sequence (expected ${String(i + 1).padStart(3, '0')}_...)`);
    return { version, name: f.replace(/\.sql$/, ''), sql: readFileSync(`${dir}/${f}`, 'utf8') };
  });
  return cached;
}

export function latestVersion(): number {
  return centralMigrations().length;
}

/** The schema version the database has (0: none), read with the caller's rights. */
export async function centralVersion(client: ClientBase): Promise<number> {
  try {
    const r = await client.query<{ v: number | null }>('SELECT max(version)::int AS v FROM pwp.schema_migrations');
    return r.rows[0]?.v ?? 0;
  } catch (e) {
    const code = (e as { code?: string }).code;
    // No schema, or no table yet: version 0.
    if (code === '3F000' || code === '42P01') return 0;
    throw e;
  }
}

/**
 * Brings the schema to the latest version. Returns the versions before and after.
 * Throws ChainError('no-schema') when the role may not create it.
 */
export async function migrateCentral(client: ClientBase): Promise<{ from: number; to: number }> {
  const migrations = centralMigrations();
  const before = await centralVersion(client);
  if (before >= migrations.length) return { from: before, to: before };
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    // Read again under the lock: another terminal may have just applied them.
    let current = await centralVersion(client);
    const from = current;
    if (current === 0) {
      try {
        await client.query('CREATE SCHEMA IF NOT EXISTS pwp');
        await client.query(
          'CREATE TABLE IF NOT EXISTS pwp.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
        );
      } catch (e) {
        throw noRights(e, 0, migrations.length);
      }
    }
    for (const m of migrations.slice(current)) {
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO pwp.schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw noRights(e, current, migrations.length);
      }
      current = m.version;
    }
    return { from, to: current };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
  }
}

function noRights(e: unknown, have: number, want: number): Error {
  if ((e as { code?: string }).code === '42501') {
    return new ChainError(
      have === 0 ? 'no-schema' : 'old-schema',
      have === 0
        ? "The chain database has no Pay with Points schema, and this terminal's role may not create it. The chain's administrator runs `npm run chain -- migrate --postgres URL` once with the owner's role."
        : `The chain database's schema is at version ${have}, this terminal needs ${want}, and its role may not migrate it. The chain's administrator runs \`npm run chain -- migrate --postgres URL\`.`,
    );
  }
  return e as Error;
}

/**
 * What a terminal does when it connects: the schema is current, or it brings
 * it there if its role may, or says clearly why it cannot ship.
 */
export async function ensureCentralSchema(client: ClientBase, url: string): Promise<void> {
  try {
    await migrateCentral(client);
  } catch (e) {
    throw toChainError(e, url);
  }
}

/**
 * The grants for the terminals' role: read and insert, never update or
 * delete (an entry, once in the chain, stays as it arrived). The role itself
 * is created by the administrator (CREATE ROLE ... LOGIN PASSWORD ...).
 */
export function terminalGrants(role: string): string[] {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`"${role}" is not a plain role name (lowercase letters, digits, _)`);
  return [
    `GRANT USAGE ON SCHEMA pwp TO ${role}`,
    `GRANT SELECT ON pwp.schema_migrations TO ${role}`,
    `GRANT SELECT, INSERT ON pwp.terminals, pwp.entries, pwp.day_totals, pwp.conflicts, pwp.heartbeats TO ${role}`,
    `GRANT SELECT ON pwp.terminal_status, pwp.store_day_totals, pwp.chain_day_totals TO ${role}`,
    `GRANT USAGE ON SEQUENCE pwp.conflicts_id_seq TO ${role}`,
  ];
}
