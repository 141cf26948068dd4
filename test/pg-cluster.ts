/**
 * A throw-away PostgreSQL cluster for tests and the chain benchmark: Debian's
 * `postgresql` package (binaries in /usr/lib/postgresql/<version>/bin, or
 * PWP_PG_BIN), `initdb` into a temporary folder, `pg_ctl start` on a free
 * loopback port, removed by `stop()`. As root, PostgreSQL refuses to run, so
 * every server command runs as the `postgres` user (`runuser`), in a folder
 * that user owns.
 *
 * The superuser `postgres` gets a random password and host connections need
 * it (scram-sha-256), so a wrong password is refused as on a real server.
 * `tls: true` also creates a test certificate authority and a server
 * certificate for "localhost" and turns ssl on (for sslmode=verify-full).
 * Durability is off (fsync=off): the cluster lives for one test file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  port: number;
  /** The folder holding the data directory, sockets and certificates. */
  dir: string;
  superPassword: string;
  /** A URL for a user and database on 127.0.0.1 (default: the superuser, database postgres). */
  url(opts?: { user?: string; password?: string; database?: string; host?: string; params?: string }): string;
  /** With `tls`: the test CA's certificate file (for sslrootcert). */
  caFile?: string;
  /** Runs SQL as the superuser through psql (setup only: roles, databases). */
  psql(sql: string, database?: string): string;
  stop(): void;
}

function pgBin(): string {
  if (process.env.PWP_PG_BIN) return process.env.PWP_PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: apt-get install postgresql (or set PWP_PG_BIN to its bin folder)');
  return join(base, versions[0]!, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function pgUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** Runs a PostgreSQL program, as `postgres` when this process is root. */
function run(bin: string, args: string[], opts: { input?: string } = {}): string {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { input: opts.input, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function startPgCluster(opts: { tls?: boolean; settings?: Record<string, string> } = {}): Promise<PgCluster> {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'pwp-pg-'));
  const ids = asRoot ? pgUserIds() : null;
  const own = (p: string) => ids && chownSync(p, ids.uid, ids.gid);
  chmodSync(dir, 0o700);
  own(dir);
  const data = join(dir, 'data');
  const superPassword = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
  own(pwfile);
  const port = await freePort();
  let started = false;
  const stop = () => {
    if (started) {
      try {
        run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
      } catch {
        /* already gone */
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C']);
    let caFile: string | undefined;
    const conf: Record<string, string> = {
      port: String(port),
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${dir}'`,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '60',
      ...opts.settings,
    };
    if (opts.tls) {
      caFile = makeCertificates(dir, own);
      Object.assign(conf, { ssl: 'on', ssl_cert_file: `'${join(dir, 'server.crt')}'`, ssl_key_file: `'${join(dir, 'server.key')}'` });
    }
    writeFileSync(
      join(data, 'postgresql.auto.conf'),
      Object.entries(conf)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n') + '\n',
    );
    own(join(data, 'postgresql.auto.conf'));
    run(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log')]);
    started = true;
    const psql = (sql: string, database = 'postgres') =>
      run(join(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', database, '-At'], { input: sql });
    return {
      port,
      dir,
      superPassword,
      caFile,
      url: (o = {}) => {
        const user = o.user ?? 'postgres';
        const password = o.password ?? (user === 'postgres' ? superPassword : '');
        const auth = password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}` : encodeURIComponent(user);
        return `postgres://${auth}@${o.host ?? '127.0.0.1'}:${port}/${o.database ?? 'postgres'}${o.params ? `?${o.params}` : ''}`;
      },
      psql,
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

/** A test CA and a server certificate for localhost signed by it (openssl CLI). Returns the CA file. */
function makeCertificates(dir: string, own: (p: string) => void): string {
  const ssl = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=pwp test CA', '-keyout', 'ca.key', '-out', 'ca.crt']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext.cnf', '-out', 'server.crt']);
  for (const f of ['server.key', 'server.crt', 'ca.crt']) own(join(dir, f));
  chmodSync(join(dir, 'server.key'), 0o600);
  // The client (this process, maybe root) reads the CA; the server (postgres) reads its key.
  chmodSync(join(dir, 'ca.crt'), 0o644);
  return join(dir, 'ca.crt');
}
