/**
 * The go-live area of the contract (managers only): test a program's
 * connection, take the terminal live, go back to training. The connection
 * is checked field by field (shared/programs/check.ts), tested with
 * read-only calls (adapters/connection-test.ts), sealed into the live
 * database, and only then does the runtime switch mode. Secrets come in,
 * are never sent back and never logged: the log names the fields set.
 */
import type { ConnectionTestResult } from '../../shared/connection-test.js';
import type { GoLiveView } from '../../shared/contract/golive.js';
import { PosError } from '../../shared/errors.js';
import { checkConnection } from '../../shared/programs/check.js';
import { environmentOf, programOf, secretKeys, type ConnectionValues, type ProgramId } from '../../shared/programs/index.js';
import { testConnection } from '../adapters/connection-test.js';
import { EXTRA_CA_FIELD, parseExtraCa } from '../adapters/extra-ca.js';
import type { AdapterOptions } from '../adapters/connection.js';
import { databaseFile, type TerminalMode } from '../mode.js';
import { Store } from '../store/store.js';
import type { HandlersFor } from '../transport/dispatch.js';
import { liveConnectionView, loadLiveConnection, saveLiveConnection } from './live-connection.js';
import type { People } from './people.js';
import type { SecretBox } from './secret-box.js';

export interface GoLiveContext {
  dataDir: string;
  box: SecretBox;
  adapterOpts: AdapterOptions;
  terminalId: string;
  /** This session's store and people (the approval and the log before a switch). */
  store: Store;
  people: People;
  /** The runtime's current session (after a switch, the new one). */
  current: () => { mode: TerminalMode; store: Store; lastTest: ConnectionTestResult | null };
  switchMode: (to: TerminalMode, by: string, reload?: boolean) => Promise<void>;
}

type GoLiveMethod = 'getGoLive' | 'testConnection' | 'goLive' | 'backToTraining';

/** Runs `fn` on the live database (opened for the call when the terminal runs in training). */
function withLiveStore<T>(ctx: GoLiveContext, fn: (s: Store) => T): T {
  const cur = ctx.current();
  if (cur.mode === 'live') return fn(cur.store);
  const s = Store.open(databaseFile(ctx.dataDir, 'live'));
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

/**
 * The typed values checked and completed: defaults filled, and a secret left
 * empty taken from the stored connection of the same program (the manager
 * changes one field without typing every secret again).
 */
function resolveValues(ctx: GoLiveContext, program: ProgramId, typed: Record<string, string>): ConnectionValues {
  const p = programOf(program);
  const merged: Record<string, string> = { ...typed };
  const emptySecrets = secretKeys(p).filter((k) => !typed[k]);
  if (emptySecrets.length) {
    const stored = withLiveStore(ctx, (s) => {
      try {
        return loadLiveConnection(s, ctx.box);
      } catch {
        return null; // sealed elsewhere: the manager types them again
      }
    });
    if (stored?.program === program) for (const k of emptySecrets) if (stored.values[k]) merged[k] = stored.values[k];
  }
  const { values, problems } = checkConnection(p, merged);
  if (problems.length) {
    const first = problems[0]!;
    const field = first.path.replace(/^(connection|program)\./, '');
    throw new PosError('INVALID_INPUT', `${field} ${first.message}`, { details: { field, problems } });
  }
  // Each certificate of an extra CA is read before it is tested or stored (a clear field error otherwise).
  if (values[EXTRA_CA_FIELD] !== undefined) parseExtraCa(values[EXTRA_CA_FIELD]);
  return values;
}

export function goLiveHandlers(ctx: GoLiveContext): HandlersFor<GoLiveMethod> {
  const view = (): GoLiveView => {
    const v = withLiveStore(ctx, (s) => liveConnectionView(s));
    const cur = ctx.current();
    return {
      mode: cur.mode,
      connection: v ? { program: v.program, values: v.plain, secretsSet: v.secretsSet, environment: environmentOf(programOf(v.program), v.plain) } : null,
      lastTest: cur.lastTest,
      queue: cur.store.outbox.counts(),
    };
  };
  const log = (actor: string, kind: string, outcome: string, detail: Record<string, unknown>) =>
    ctx.store.transaction(() => ctx.store.journal.append({ at: new Date().toISOString(), terminalId: ctx.terminalId, actor, kind, outcome, detail }));

  return {
    async getGoLive() {
      ctx.people.authorizeManager('golive.view', null);
      return view();
    },

    async testConnection({ program, values }) {
      const manager = ctx.people.authorizeManager('golive.test', null);
      const resolved = resolveValues(ctx, program, values);
      const result = await testConnection(program, resolved, ctx.adapterOpts);
      log(manager.id, 'connection.test', result.ok ? 'ok' : 'failed', {
        program,
        environment: result.environment,
        by: 'manager',
        ...(result.failed ? { step: result.failed.step, reason: result.failed.message } : {}),
      });
      return result;
    },

    async goLive({ program, values, approval }) {
      const manager = ctx.people.verifyManager(approval, 'golive');
      const resolved = resolveValues(ctx, program, values);
      const q = ctx.store.outbox.counts();
      if (q.waiting > 0 || q.attention > 0) throw new PosError('QUEUE_NOT_EMPTY', undefined, { details: q });
      // The test runs again here: the screen's passing test is not trusted across the transport.
      const result = await testConnection(program, resolved, ctx.adapterOpts);
      if (!result.ok) {
        log(manager.id, 'golive', 'refused', { program, step: result.failed?.step ?? null, reason: result.failed?.message ?? null });
        throw new PosError('CONNECTION_NOT_TESTED', `The connection test failed (${result.failed?.step}): ${result.failed?.message}`, {
          details: { test: result },
        });
      }
      withLiveStore(ctx, (s) => saveLiveConnection(s, ctx.box, program, resolved));
      log(manager.id, 'golive', 'ok', { program, environment: result.environment, fields: Object.keys(resolved).sort() });
      await ctx.switchMode('live', manager.id, true);
      return view();
    },

    async backToTraining({ approval }) {
      const manager = ctx.people.verifyManager(approval, 'golive.back-to-training');
      await ctx.switchMode('training', manager.id);
      return view();
    },
  };
}
