/**
 * The crash harness (issue 3, extended to refunds by issue 4), as a library:
 * `npm run test:crash` runs it long (bench/crash-harness.ts); a short run is
 * part of `npm test` (electron/service/crash-harness.test.ts).
 *
 * This process starts the White Label sandbox in-process and the terminal as a
 * child process: the web host CLI (electron/cli/web.ts, bundled once by
 * test/web-host-bundle.ts so a restart costs about 1 s of CPU instead of tsx's 3;
 * `runner: 'tsx'` runs the source). Cashier lanes drive sales over the HTTP API (identify,
 * quote, confirm, pay, void and partial refunds after posting, cancels while
 * queued, voids of sales a crash left in doubt). Every life of the child ends
 * in SIGKILL:
 *
 *  - by a failpoint (electron/service/failpoints.ts), armed through the
 *    environment: between the local commit and the post (before-post,
 *    after-mark), between the post and storing the answer (after-send), or
 *    right after storing it (after-settle);
 *  - or by this process at a random moment (startup included), while the
 *    sandbox holds posts for a random latency (up to twice the request
 *    timeout, so some are applied after the client gave up), so kills land
 *    with requests in flight that the backend still applies (the answer is
 *    lost with the process).
 *
 * The terminal runs with a short request timeout and in-doubt margin
 * (REQUEST_TIMEOUT_MS, IN_DOUBT_MARGIN_MS): nothing in doubt is decided before
 * its deadline. Rows nobody can tell about (White Label has no lookup) are
 * decided as a manager would: by looking the reference up in the ledger.
 *
 * Some lives also take the backend down for a while, so redemptions are
 * accepted offline and drained later, crashes included.
 *
 * At the end a last life runs without failpoints until the queue is empty,
 * is stopped cleanly, and the verdict compares the sandbox's ledger with the
 * terminal's SQLite file, opened read-only (test/ledger-agreement.ts).
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DATABASE_FILE } from '../electron/runtime.js';
import { FAILPOINT_NAMES, seededRandom } from '../electron/service/failpoints.js';
import { People } from '../electron/service/people.js';
import { startSandbox, type RunningSandbox } from '../sandbox/server.js';
import { CRASH_PROGRAM, type CrashMember, type CrashProgram, type CrashProgramId, type IdentifiedSale } from './crash-programs.js';
import { Store } from '../electron/store/store.js';
import { checkAgreement, describeAgreement, type AgreementReport } from '../test/ledger-agreement.js';
import { makeTempDir } from '../test/temp-dir.js';
import { bundleWebHost, type WebHostBundle } from '../test/web-host-bundle.js';

export interface CrashHarnessOptions {
  /** SIGKILLs to deliver before the final drain. */
  kills: number;
  seed: number;
  /** Concurrent cashier lanes driving the terminal. */
  lanes?: number;
  /** Members (each lane owns some; one has a small balance, so some redemptions are refused). */
  members?: number;
  /** 'bundle' (default): the web host bundled once; 'tsx': the source through tsx. */
  runner?: 'bundle' | 'tsx';
  /** A web host bundle already made (test/web-host-bundle.ts), shared by several runs; the run bundles its own otherwise. */
  webHost?: string;
  log?: (line: string) => void;
  /** How long the final drain may take before the run fails. */
  drainTimeoutMs?: number;
  /** Keep the terminal's data directory (and dump the ledger next to it) when the verdict fails. */
  keepOnFailure?: boolean;
  /** The program the terminal redeems with (bench/crash-programs.ts); default White Label. */
  program?: CrashProgramId;
}

export interface CrashHarnessResult {
  program: CrashProgramId;
  seed: number;
  kills: number;
  /** Rows nobody could tell about, decided by the harness as a manager would (by the ledger). */
  managerDecisions: { applied: number; sendAgain: number };
  killsBy: Record<string, number>;
  lives: number;
  elapsedMs: number;
  driver: Record<string, number>;
  report: AgreementReport;
  /** Sales voided or refunded whose compensation does not add up, sales left in flight. */
  saleProblems: string[];
  ok: boolean;
  verdict: string;
}

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** The child's request timeout, and how long past it a held post may still be applied. */
export const REQUEST_TIMEOUT_MS = 1000;
export const IN_DOUBT_MARGIN_MS = 1500;
const FAST_SCRYPT = { N: 1 << 10, r: 8, p: 1 };
const MANAGER = { name: 'Harness Manager', pin: '246802' };

export async function runCrashHarness(o: CrashHarnessOptions): Promise<CrashHarnessResult> {
  const log = o.log ?? (() => {});
  const random = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const t0 = Date.now();
  const tmp = makeTempDir('pwp-crash-');
  const dataDir = join(tmp.dir, 'terminal');
  const kit = CRASH_PROGRAM[o.program ?? 'whitelabel'];
  const sandbox = await startSandbox({ port: 0, seedDemo: kit.seedDemo });
  let ownBundle: WebHostBundle | null = null;
  let keep = false;
  try {
    if (o.runner !== 'tsx' && !o.webHost) ownBundle = await bundleWebHost();
    const entry = o.runner === 'tsx' ? null : (o.webHost ?? ownBundle!.file);

    // Members: generous balances, and one small one (refusals once it runs low).
    const members = kit.setup(sandbox, o.members ?? 6);
    const before = kit.balances(sandbox, members);
    const ledgerNow = (references: readonly string[] = []) => kit.ledger(sandbox, members, references);

    // The first manager, created on the data directory before the first start (cheap PIN hashing:
    // the cost is stored with the hash, so the child verifies it cheaply too).
    mkdirSync(dataDir, { recursive: true });
    const setup = Store.open(join(dataDir, DATABASE_FILE));
    const manager = new People(setup, Date.now, { scrypt: FAST_SCRYPT }).createFirstManager(MANAGER.name, MANAGER.pin);
    setup.close();
    const approval = { managerId: manager.id, pin: MANAGER.pin, reason: 'crash harness void' };

    const driver = new Driver(kit, sandbox, members, o.lanes ?? 3, approval, random);
    const killsBy: Record<string, number> = {};
    let kills = 0;
    let lives = 0;
    const managerDecisions = { applied: 0, sendAgain: 0 };
    const inLedger = (reference: string) => ledgerNow([reference]).some((e) => e.payload.transactionId === reference);
    // Any failure below still ends in a verdict with the seed and what was kept.
    const failed = (why: unknown): CrashHarnessResult => {
      keep = o.keepOnFailure === true;
      if (keep) writeFileSync(join(tmp.dir, 'ledger.json'), JSON.stringify(ledgerNow(), null, 1));
      const verdict = [
        `FAIL (${kit.id}, seed ${o.seed}): ${(why as Error)?.message ?? String(why)}`,
        `after ${kills} kills over ${lives} lives in ${((Date.now() - t0) / 1000).toFixed(1)} s; manager decisions: ${managerDecisions.applied} applied, ${managerDecisions.sendAgain} sent again`,
        keep ? `kept for inspection: ${tmp.dir} (terminal/terminal.db, ledger.json)` : 'nothing kept (keepOnFailure off)',
      ].join('\n');
      return {
        program: kit.id,
        seed: o.seed,
        kills,
        managerDecisions,
        killsBy,
        lives,
        elapsedMs: Date.now() - t0,
        driver: driver.counts,
        report: EMPTY_REPORT,
        saleProblems: [],
        ok: false,
        verdict,
      };
    };
    try {
      while (kills < o.kills) {
        lives++;
        sandbox.faults.clear();
        const plan = planLife(random, pick);
        const child = startChild(entry, dataDir, sandbox.url, kit.id, plan.failpoints, Math.floor(random() * 2 ** 31));
        if (plan.killAtMs !== null) child.killAfter(plan.killAtMs);
        try {
          const api = await child.ready;
          await api.call('signIn', { personId: manager.id, pin: MANAGER.pin });
          if (plan.latencyMs > 0)
            for (const [method, path] of kit.writes) sandbox.faults.add({ backend: kit.id, method, path, fault: 'latency', ms: plan.latencyMs });
          if (plan.downAtMs !== null) {
            const at = plan.downAtMs;
            const forMs = plan.downForMs;
            setTimeout(() => {
              if (child.alive()) {
                const f = sandbox.faults.add({ backend: kit.id, fault: 'down' });
                setTimeout(() => sandbox.faults.remove(f.id), forMs);
              }
            }, at);
          }
          // A failpoint that never fires (nothing reached it) must not stall the run.
          if (plan.killAtMs === null) child.killAfter(4000);
          await driver.run(api, child.alive);
        } catch {
          /* the child died during start-up or sign-in: that is a kill like any other */
        }
        const how = await child.exited;
        if (how.signal === 'SIGKILL') {
          kills++;
          const by = how.failpoint ?? (plan.killAtMs === null ? 'timer (failpoint did not fire)' : 'timer');
          killsBy[by] = (killsBy[by] ?? 0) + 1;
        } else {
          throw new Error(`the terminal exited by itself (code ${how.code}, signal ${how.signal}):\n${how.stderr.slice(-2000)}`);
        }
        if (kills % 25 === 0 || kills === o.kills) log(`kills ${kills}/${o.kills} (lives ${lives}, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }

      // The last life: no failpoints, the backend healthy, until the queue is empty and nothing waits
      // for a manager's "applied / send again"; then a clean stop.
      sandbox.faults.clear();
      lives++;
      const last = startChild(entry, dataDir, sandbox.url, kit.id, '', 1);
      const api = await last.ready;
      await api.call('signIn', { personId: manager.id, pin: MANAGER.pin });
      await driver.finishOpenSales(api);
      // One sale per lane in a healthy life, so even a short run (kills landing before any sale
      // got far) checks at least one redemption against the ledger.
      await driver.oneSaleEach(api);
      await driver.finishOpenSales(api);
      const deadline = Date.now() + (o.drainTimeoutMs ?? 120_000);
      for (;;) {
        const status = await api.call<{ queue: { waiting: number } }>('getStatus', {});
        const { items } = await api.call<{ items: { item: string; inDoubt?: { reference: string } }[] }>('listAttention', {});
        const inDoubt = items.filter((i) => i.inDoubt);
        for (const i of inDoubt) {
          // What a manager does: look the reference up at the backend, then decide.
          const decision = inLedger(i.inDoubt!.reference) ? 'applied' : 'send-again';
          await api.call('resolveInDoubt', { item: i.item, decision, approval: { ...approval, reason: 'crash harness: looked it up in the ledger' } });
          if (decision === 'applied') managerDecisions.applied++;
          else managerDecisions.sendAgain++;
        }
        if (status.queue.waiting === 0 && inDoubt.length === 0) break;
        if (Date.now() > deadline) throw new Error(`the queue did not drain: ${status.queue.waiting} still waiting`);
        // A manager's "retry now": rows backed off by the outages go at once (never one in doubt before its deadline).
        await api.call('retryQueue', { approval: { ...approval, reason: 'crash harness: final drain' } }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500));
      }
      await last.stop();

      // The verdict: the terminal's file, read-only, against the ledger.
      const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
      try {
        const after = kit.balances(sandbox, members);
        const balances = Object.fromEntries(members.map((m) => [m.key, { before: before[m.key]!, after: after[m.key]! }]));
        const references = (db.prepare('SELECT reference FROM outbox').all() as { reference: string }[]).map((r) => r.reference);
        const ledger = ledgerNow(references);
        const report = checkAgreement({ terminals: [db], ledger, balances, unit: 'milli' });
        const saleProblems = checkSales(db);
        const ok = report.problems.length === 0 && report.pending.length === 0 && saleProblems.length === 0 && kills >= o.kills;
        const elapsedMs = Date.now() - t0;
        if (!ok && o.keepOnFailure) {
          keep = true;
          writeFileSync(join(tmp.dir, 'ledger.json'), JSON.stringify(ledger, null, 1));
        }
        const verdict = [
          `${ok ? 'PASS' : 'FAIL'} (${kit.id}, seed ${o.seed}): ${kills} kills over ${lives} lives in ${(elapsedMs / 1000).toFixed(1)} s`,
          summaryLine(kit.id, o.seed, kills, report, managerDecisions, elapsedMs),
          `cannot tell, decided as a manager would by the ledger: ${managerDecisions.applied} applied, ${managerDecisions.sendAgain} sent again`,
          `kills by moment: ${Object.entries(killsBy)
            .sort()
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`,
          describeAgreement(report),
          heldLine(report),
          `attempts a kill interrupted (no answer stored): ${report.interruptedAttempts}`,
          `driver: ${Object.entries(driver.counts)
            .sort()
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`,
          ...saleProblems.map((p) => `SALE: ${p}`),
          ...(keep ? [`kept for inspection: ${tmp.dir} (terminal/terminal.db, ledger.json)`] : []),
        ].join('\n');
        return { program: kit.id, seed: o.seed, kills, managerDecisions, killsBy, lives, elapsedMs, driver: driver.counts, report, saleProblems, ok, verdict };
      } finally {
        db.close();
      }
    } catch (e) {
      return failed(e);
    }
  } finally {
    await sandbox.close();
    if (!keep) tmp.cleanup();
    ownBundle?.remove();
  }
}

/** Rows waiting for a manager: refused by the backend (at risk, not applied), or of unknown outcome (never retried blindly). */
const EMPTY_REPORT: AgreementReport = {
  redemptions: { committed: 0, done: 0, refused: 0, cancelled: 0, attention: 0, pending: 0 },
  refunds: { queued: 0, done: 0, attention: 0, pending: 0, other: 0 },
  lost: [],
  duplicated: [],
  appliedUnconfirmed: [],
  balanceMismatches: [],
  unloggedAttempts: [],
  interruptedAttempts: 0,
  unresolved: [],
  pending: [],
  problems: ['the run did not finish'],
};

/** The run in one line, the figures the README's crash table records. */
function summaryLine(
  program: CrashProgramId,
  seed: number,
  kills: number,
  r: AgreementReport,
  d: { applied: number; sendAgain: number },
  elapsedMs: number,
): string {
  return (
    `summary: program ${program}, seed ${seed}, kills ${kills}, redemptions ${r.redemptions.committed}, refunds ${r.refunds.queued}, ` +
    `lost ${r.lost.length}, duplicated ${r.duplicated.length}, cannot tell: ${d.applied} applied / ${d.sendAgain} sent again, ${(elapsedMs / 1000).toFixed(0)} s`
  );
}

function heldLine(r: AgreementReport): string {
  const unknown = r.unresolved.filter((u) => u.code === 'OUTCOME_UNKNOWN');
  const refused = r.unresolved.filter((u) => u.code !== 'OUTCOME_UNKNOWN');
  return (
    `held for a manager: ${refused.length} refused by the backend after being accepted offline (none applied: ${refused.every((u) => !u.applied)}), ` +
    `${unknown.length} of unknown outcome, never retried blindly` +
    (unknown.length ? ` (${unknown.filter((u) => u.applied).length} applied at the backend, ${unknown.filter((u) => !u.applied).length} not)` : '')
  );
}

// ---- one life's plan ---------------------------------------------------------

interface LifePlan {
  /** PWP_FAILPOINTS for the child ('' = none). */
  failpoints: string;
  /** When this process kills the child (ms after spawn); null = a failpoint will. */
  killAtMs: number | null;
  /** Latency the sandbox adds to every post this life (0 = none). */
  latencyMs: number;
  downAtMs: number | null;
  downForMs: number;
}

function planLife(random: () => number, pick: <T>(xs: readonly T[]) => T): LifePlan {
  const byFailpoint = random() < 0.6;
  const point = pick(FAILPOINT_NAMES);
  return {
    failpoints: byFailpoint ? `${point}:${(0.1 + random() * 0.3).toFixed(2)}` : '',
    // Timer kills anywhere from start-up to well into the life.
    killAtMs: byFailpoint ? null : Math.floor(random() * 2500),
    // Up to twice the request timeout: past the timeout the client gives up and the post still applies.
    latencyMs: random() < 0.6 ? Math.floor(20 + random() * (random() < 0.25 ? 2 * REQUEST_TIMEOUT_MS : 230)) : 0,
    downAtMs: random() < 0.15 ? Math.floor(random() * 800) : null,
    downForMs: Math.floor(300 + random() * 1200),
  };
}

// ---- the child ---------------------------------------------------------------

interface Api {
  call<T = unknown>(method: string, input: unknown): Promise<T>;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  failpoint: string | null;
  stderr: string;
}

interface Child {
  ready: Promise<Api>;
  exited: Promise<Exit>;
  alive: () => boolean;
  killAfter(ms: number): void;
  stop(): Promise<void>;
}

function startChild(entry: string | null, dataDir: string, backendUrl: string, program: CrashProgramId, failpoints: string, seed: number): Child {
  const rendererDir = join(dataDir, '..', 'no-renderer');
  mkdirSync(rendererDir, { recursive: true });
  const args = [
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--backend',
    backendUrl,
    '--loyalty',
    program,
    '--renderer-dir',
    rendererDir,
    '--probe-interval-ms',
    '200',
    '--post-wait-ms',
    '1500',
    '--request-timeout-ms',
    String(REQUEST_TIMEOUT_MS),
    '--in-doubt-margin-ms',
    String(IN_DOUBT_MARGIN_MS),
  ];
  const child: ChildProcess = spawn(process.execPath, entry ? [entry, ...args] : ['--import', 'tsx', join(REPO, 'electron/cli/web.ts'), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PWP_FAILPOINTS: failpoints, PWP_FAILPOINTS_SEED: String(seed) },
  });
  let stderr = '';
  let failpoint: string | null = null;
  let alive = true;
  child.stderr!.on('data', (d: Buffer) => {
    stderr += String(d);
    const m = /\[failpoint\] (\S+)/.exec(stderr);
    if (m) failpoint = m[1]!;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const timers: NodeJS.Timeout[] = [];
  const exited = new Promise<Exit>((done) => {
    child.once('exit', (code, signal) => {
      alive = false;
      for (const t of timers) clearTimeout(t);
      done({ code, signal, failpoint, stderr });
    });
  });
  const ready = new Promise<Api>((ok, fail) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => {
      const base = line.trim().replace(/\/#token=.*$/, '');
      const token = line.trim().replace(/^.*#token=/, '');
      ok({ call: (method, input) => callApi(base, token, method, input) });
    });
    void exited.then(() => fail(new Error('the terminal died before it was ready')));
  });
  ready.catch(() => undefined);
  return {
    ready,
    exited,
    alive: () => alive,
    killAfter(ms) {
      timers.push(setTimeout(() => alive && child.kill('SIGKILL'), ms));
    },
    async stop() {
      if (!alive) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const how = await exited;
      clearTimeout(t);
      if (how.signal === 'SIGKILL') throw new Error('the terminal did not stop cleanly on SIGTERM');
    },
  };
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function callApi<T>(base: string, token: string, method: string, input: unknown): Promise<T> {
  const res = await fetch(`${base}/api/call/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(20_000),
  });
  const env = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!env.ok) throw new ApiError(env.error?.code ?? 'UNKNOWN', `${method}: ${env.error?.code} ${env.error?.message}`);
  return env.value as T;
}

// ---- the cashiers ------------------------------------------------------------

interface SaleView extends IdentifiedSale {
  state: string;
  offlineAccepted: boolean;
  redemption?: string;
}

/**
 * Cashier lanes: each owns some members and runs one sale at a time for them,
 * so a member is never at two counters at once (the two-terminal test covers
 * that). A lane carries the sale a crash interrupted into the next life.
 */
class Driver {
  readonly counts: Record<string, number> = {};
  private readonly current = new Map<number, string>();
  private readonly paid: string[] = [];

  constructor(
    private readonly kit: CrashProgram,
    private readonly sandbox: RunningSandbox,
    private readonly members: readonly CrashMember[],
    private readonly lanes: number,
    private readonly approval: { managerId: string; pin: string; reason: string },
    private readonly random: () => number,
  ) {}

  private count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }

  async run(api: Api, alive: () => boolean): Promise<void> {
    await Promise.all(Array.from({ length: this.lanes }, (_, lane) => this.lane(api, alive, lane)));
  }

  private async lane(api: Api, alive: () => boolean, lane: number): Promise<void> {
    const mine = this.members.filter((_, i) => i % this.lanes === lane);
    while (alive()) {
      try {
        const left = this.current.get(lane);
        if (left) await this.resume(api, lane, left);
        else if (this.random() < 0.08 && this.paid.length > 0) await this.voidOrRefundOld(api);
        else await this.sale(api, lane, mine[Math.floor(this.random() * mine.length)]!);
      } catch (e) {
        if (!alive()) return;
        this.count(e instanceof ApiError ? `error ${e.code} (${e.message.split(':')[0]})` : 'connection lost (the terminal died)');
        const left = this.current.get(lane);
        // A refusal of the sale's own step: give it up (cancel if it can be), move on.
        if (left && e instanceof ApiError) {
          await api.call('cancelSale', { saleId: left }).catch(() => undefined);
          this.current.delete(lane);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private async sale(api: Api, lane: number, member: CrashMember): Promise<void> {
    const basket = 1000 + Math.floor(this.random() * 9000);
    const sale = await api.call<SaleView>('startSale', { basketCents: basket });
    this.current.set(lane, sale.id);
    this.count('sales started');
    const v = await api.call<SaleView>('identifyMember', { saleId: sale.id, input: member.input, source: member.source });
    const pointsMilli = await this.kit.choose(api, v, this.random);
    if (pointsMilli === null) {
      await api.call('cancelSale', { saleId: sale.id });
      this.current.delete(lane);
      this.count('nothing to redeem');
      return;
    }
    if (this.random() < 0.05) {
      await api.call('cancelSale', { saleId: sale.id });
      this.current.delete(lane);
      this.count('cancelled before confirming');
      return;
    }
    const extra = await this.kit.confirmExtra(api, this.sandbox, sale.id, member);
    let confirmed: SaleView;
    try {
      confirmed = await api.call<SaleView>('confirmRedemption', { saleId: sale.id, pointsMilli, ...extra });
    } catch (e) {
      if ((e as ApiError).code !== 'OFFLINE_LIMIT') throw e;
      confirmed = await api.call<SaleView>('confirmRedemption', {
        saleId: sale.id,
        pointsMilli,
        ...extra,
        approval: { ...this.approval, reason: 'override' },
      });
      this.count('offline overrides');
    }
    this.count('confirmed');
    await this.after(api, lane, confirmed);
  }

  /** What a cashier does once the points are confirmed (or after a restart, with what is left). */
  private async after(api: Api, lane: number, v: SaleView): Promise<void> {
    const id = v.id;
    if (v.state === 'posted' || (v.state === 'queued' && v.offlineAccepted)) {
      await api.call('markPaid', { saleId: id });
      this.count('paid');
      this.current.delete(lane);
      const r = this.random();
      if (r < 0.15) {
        await api.call('voidSale', { saleId: id, approval: this.approval });
        this.count('voided right after paying');
      } else if (r < 0.22) {
        await api.call('refundSale', { saleId: id, amountCents: 100 + Math.floor(this.random() * 400), approval: this.approval }).then(
          () => this.count('partly refunded'),
          (e: ApiError) => this.count(`refund refused ${e.code}`),
        );
        this.paid.push(id);
      } else {
        this.paid.push(id);
      }
    } else if (v.state === 'queued' || v.state === 'posting') {
      const r = this.random();
      if (r < 0.25) {
        await api.call('cancelSale', { saleId: id });
        this.current.delete(lane);
        this.count('cancelled while waiting');
      } else if (r < 0.6) {
        const accepted = await api.call<SaleView>('acceptOffline', { saleId: id }).catch(() => null);
        if (accepted) await this.after(api, lane, accepted);
      } else {
        await new Promise((res) => setTimeout(res, 200));
        await this.after(api, lane, await api.call<SaleView>('getSale', { saleId: id }));
      }
    } else {
      // refused (or closed meanwhile): nothing was taken; close it if it is still open.
      if (v.state === 'refused') await api.call('cancelSale', { saleId: id }).catch(() => undefined);
      this.count(`ended ${v.state}`);
      this.current.delete(lane);
    }
  }

  /** The sale a crash interrupted: open ones are cancelled (the member's card must be scanned again). */
  private async resume(api: Api, lane: number, id: string): Promise<void> {
    const v = await api.call<SaleView>('getSale', { saleId: id });
    this.count('resumed after a crash');
    if (['open', 'identified', 'quoted', 'refused'].includes(v.state)) {
      await api.call('cancelSale', { saleId: id });
      this.current.delete(lane);
    } else if (['posted', 'queued', 'posting'].includes(v.state)) {
      if (v.state !== 'posted' && this.random() < 0.3) {
        // The cashier gives up on a sale whose redemption is in doubt after the crash.
        await api.call('cancelSale', { saleId: id });
        this.current.delete(lane);
        this.count('cancelled in doubt after a crash');
      } else {
        await this.after(api, lane, v);
      }
    } else {
      this.current.delete(lane);
    }
  }

  private async voidOrRefundOld(api: Api): Promise<void> {
    const i = Math.floor(this.random() * this.paid.length);
    const id = this.paid[i]!;
    this.paid.splice(i, 1);
    if (this.random() < 0.6) {
      await api.call('voidSale', { saleId: id, approval: this.approval }).then(
        () => this.count('voided later'),
        (e: ApiError) => this.count(`late void refused ${e.code}`),
      );
    } else {
      await api.call('refundSale', { saleId: id, amountCents: 100 + Math.floor(this.random() * 300), approval: this.approval }).then(
        () => this.count('partly refunded later'),
        (e: ApiError) => this.count(`late refund refused ${e.code}`),
      );
    }
  }

  /** Before the verdict: nothing may be left half-done at the counter. */
  /** One sale per lane, each for the lane's first member, errors counted (the last, healthy life). */
  async oneSaleEach(api: Api): Promise<void> {
    await Promise.all(
      Array.from({ length: this.lanes }, async (_, lane) => {
        const member = this.members.filter((_, i) => i % this.lanes === lane)[0];
        if (!member) return;
        await this.sale(api, lane, member).catch((e: unknown) => this.count(e instanceof ApiError ? `last life: error ${e.code}` : 'last life: failed'));
      }),
    );
  }

  async finishOpenSales(api: Api): Promise<void> {
    for (const [lane, id] of [...this.current]) {
      const v = await api.call<SaleView>('getSale', { saleId: id }).catch(() => null);
      if (v && ['open', 'identified', 'quoted', 'refused'].includes(v.state)) await api.call('cancelSale', { saleId: id }).catch(() => undefined);
      this.current.delete(lane);
    }
  }
}

/** Sales whose records do not add up on their own: stuck in flight, or a void not fully compensated. */
function checkSales(db: Database.Database): string[] {
  const out: string[] = [];
  for (const s of db.prepare(`SELECT id, state FROM sales WHERE state IN ('posting') `).all() as { id: string; state: string }[]) {
    out.push(`${s.id} is still ${s.state}`);
  }
  const rows = db
    .prepare(
      `SELECT s.id, s.state, s.points_milli, s.refunded_points_milli,
              (SELECT COUNT(*) FROM outbox o WHERE o.sale_id = s.id AND o.kind = 'redeem' AND o.state = 'done') AS posted,
              (SELECT COALESCE(SUM(json_extract(o.payload, '$.pointsMilli')), 0) FROM outbox o WHERE o.sale_id = s.id AND o.kind = 'reverse') AS queued_back
         FROM sales s WHERE s.refunded_points_milli > 0 OR s.state = 'voided'`,
    )
    .all() as { id: string; state: string; points_milli: number | null; refunded_points_milli: number; posted: number; queued_back: number }[];
  for (const r of rows) {
    const taken = r.posted ? (r.points_milli ?? 0) : 0;
    if (r.queued_back !== Math.min(r.refunded_points_milli, taken)) {
      out.push(`${r.id} (${r.state}): ${taken} taken, ${r.refunded_points_milli} to give back, ${r.queued_back} queued back`);
    }
    if (r.queued_back > taken) out.push(`${r.id}: more queued back (${r.queued_back}) than taken (${taken})`);
  }
  return out;
}
