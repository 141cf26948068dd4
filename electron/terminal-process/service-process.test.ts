/**
 * The terminal service in a process of its own, as the Electron app runs it,
 * here as a Node child process (node-entry.ts: the same serveTerminal the
 * utilityProcess entry uses, over the fork's IPC channel instead of a
 * MessagePort). Real child, real SQLite file, real Capillary emulator on
 * loopback; nothing mocked.
 *
 * The crash: a redemption's post is held at the emulator, the service is
 * killed with SIGKILL, then the held post is let through (the program applied
 * it; the terminal never heard). The call in flight gets TERMINAL_RESTARTED,
 * once; the subscriber hears restarting, then running, then the sale's push
 * from the new process; the new process opens the same data directory; and
 * the outbox's lookup settles the sale as posted with exactly one posting at
 * the program.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, TerminalEvent } from '../../shared/contract.js';
import type { SaleView } from '../../shared/domain.js';
import { CRASH_PROGRAM } from '../../bench/crash-programs.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { until } from '../../test/until.js';
import { DATABASE_FILE } from '../runtime.js';
import { People } from '../service/people.js';
import { Store } from '../store/store.js';
import { nodeServiceSpawner } from './node-child.js';
import { messageType, type ServiceStartOptions } from './protocol.js';
import { ServiceStartError, startTerminalService, type ServiceChild, type TerminalServiceClient } from './supervisor.js';

const capillary = CRASH_PROGRAM.capillary;
const FAST_SCRYPT = { N: 1 << 10, r: 8, p: 1 };
const PIN = '246802';

describe('the terminal service in its own process', () => {
  const tmp = makeTempDir('pwp-service-process-');
  const dataDir = join(tmp.dir, 'terminal');
  let sandbox: RunningSandbox;
  let client: TerminalServiceClient;
  let managerId: string;
  let options: ServiceStartOptions;
  const events: TerminalEvent[] = [];
  /** Every answer id any life of the service sent: none may repeat. */
  const answerIds: number[] = [];

  const spawnNode = nodeServiceSpawner();
  const spawn = (): ServiceChild => {
    const child = spawnNode();
    const onMessage = child.link.onMessage.bind(child.link);
    return {
      ...child,
      pid: child.pid,
      link: {
        send: (m) => child.link.send(m),
        onMessage: (l) =>
          onMessage((m) => {
            if (messageType(m) === 'answer') answerIds.push((m as { id: number }).id);
            l(m);
          }),
      },
    };
  };

  async function call<T>(method: string, input: unknown): Promise<T> {
    const e = await client.call(method, input);
    if (!e.ok) throw new Error(`${method}: ${e.error.code} ${e.error.message}`);
    return e.value as T;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // The first manager, made before the first start (cheap PIN hashing is stored with the hash).
    const setup = Store.open(join(dataDir, DATABASE_FILE));
    managerId = new People(setup, Date.now, { scrypt: FAST_SCRYPT }).createFirstManager('Manager', PIN).id;
    setup.close();
    options = {
      dataDir,
      backendUrl: sandbox.url,
      backend: 'capillary',
      // The confirm call waits for the program's answer (so it is in flight at the kill); a lost answer is looked up 1.5 s after its send.
      tuning: { postWaitMs: 60_000, requestTimeoutMs: 1_000, inDoubtMarginMs: 500, probeIntervalMs: 200 },
    };
    client = await startTerminalService({ spawn, options });
    client.subscribe((e) => events.push(e));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await sandbox?.close();
    tmp.cleanup();
  }, 30_000);

  it('answers calls with the runtime envelope, refuses a second service on the same data directory, and streams an export', async () => {
    expect(await client.call('startSale', { basketCents: 100 })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await client.call('noSuchMethod', {})).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await call('signIn', { personId: managerId, pin: PIN });
    expect(client.info).toMatchObject({ mode: 'training', waiting: 0 });

    const second = await startTerminalService({ spawn: nodeServiceSpawner(), options }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ServiceStartError);
    expect((second as ServiceStartError).causeName).toBe('DataDirLockedError');

    const ticket = await call<{ ticket: string }>('requestExport', {
      what: 'log',
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 3_600_000).toISOString(),
      approval: { managerId, pin: PIN, reason: 'test export' },
    });
    const download = await client.openExport(ticket.ticket);
    expect(download?.contentType).toMatch(/csv/);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await download!.write(out);
    expect(Buffer.concat(chunks).toString('utf8')).toMatch(/person\.signin/);
    // A ticket is good once.
    expect(await client.openExport(ticket.ticket)).toBeNull();
  }, 60_000);

  it('a SIGKILL during a redemption: one TERMINAL_RESTARTED answer, the same data, events go on, exactly one posting', async () => {
    await call('signIn', { personId: managerId, pin: PIN });
    const [member] = capillary.setup(sandbox, 1);
    const api = { call };
    const sale = await call<SaleView>('startSale', { basketCents: 5_000 });
    const identified = await call<SaleView>('identifyMember', { saleId: sale.id, input: member!.input, source: member!.source });
    const pointsMilli = await capillary.choose(api, identified, () => 0);
    const extra = await capillary.confirmExtra(api, sandbox, sale.id, member!);

    const hold = sandbox.faults.add({ backend: 'capillary', method: 'POST', path: '/points/redeem', fault: 'hold', times: 1 });
    const firstPid = client.pid()!;
    const confirming = client.call('confirmRedemption', { saleId: sale.id, pointsMilli, ...extra });
    await sandbox.faults.whenHeld(hold.id, 1);
    process.kill(firstPid, 'SIGKILL');
    const answer: Envelope<unknown> = await confirming;
    expect(answer).toMatchObject({ ok: false, error: { code: 'TERMINAL_RESTARTED' } });
    // The program applies the post the dead process sent: the terminal never heard the answer.
    sandbox.faults.release(hold.id);

    await until(() => client.state === 'running' && client.restarts === 1, 60_000);
    expect(client.pid()).not.toBe(firstPid);
    const restartAt = events.findIndex((e) => e.type === 'service' && e.state === 'restarting');
    const runningAt = events.findIndex((e) => e.type === 'service' && e.state === 'running');
    expect(restartAt).toBeGreaterThanOrEqual(0);
    expect(runningAt).toBeGreaterThan(restartAt);

    // A new process: the person signed in to the old one signs in again; the sale is in the same database.
    expect(await client.call('getSale', { saleId: sale.id })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    await call('signIn', { personId: managerId, pin: PIN });
    // The outbox looks the lost answer up after its deadline (during or after the restart) and finds it applied.
    await until(async () => (await call<SaleView>('getSale', { saleId: sale.id })).redemption === 'posted', 30_000);
    expect(await call<SaleView>('getSale', { saleId: sale.id })).toMatchObject({ paymentAllowed: true });

    // The push channel survived: the next sale's posting reaches the subscriber made before the crash.
    const next = await call<SaleView>('startSale', { basketCents: 5_000 });
    await call('identifyMember', { saleId: next.id, input: member!.input, source: member!.source });
    const nextPoints = await capillary.choose(api, (await call<SaleView>('getSale', { saleId: next.id })) as never, () => 0);
    await call('confirmRedemption', { saleId: next.id, pointsMilli: nextPoints, ...(await capillary.confirmExtra(api, sandbox, next.id, member!)) });
    await until(() => events.slice(runningAt).some((e) => e.type === 'sale' && e.sale.id === next.id && e.sale.redemption === 'posted'));

    const postings = capillary.ledger(sandbox, [member!], []).filter((e) => e.userId === member!.key);
    // Two sales, two postings: the crashed one exactly once.
    expect(postings.map((p) => String(p.payload.transactionId).startsWith(sale.id))).toEqual([true, false]);
    expect(postings[0]!.pointsDelta).toBe(-pointsMilli!);
    // No call was ever answered twice, by either process.
    expect(new Set(answerIds).size).toBe(answerIds.length);
  }, 120_000);
});
