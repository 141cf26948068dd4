/**
 * The live program's connection, kept in the live database's settings:
 * the program, its non-secret fields in clear (shown back on screen), and
 * its secret fields sealed by the SecretBox (never shown back, never logged).
 * Written only after the values passed checkConnection; read at every live
 * start to build the adapter.
 */
import { PosError } from '../../shared/errors.js';
import { allFields, isProgramId, programOf, type ConnectionValues, type ProgramId } from '../../shared/programs/index.js';
import type { Store } from '../store/store.js';
import type { SecretBox } from './secret-box.js';

export const LIVE_CONNECTION_SETTING = 'live_connection';

interface Stored {
  program: ProgramId;
  /** Non-secret fields. */
  plain: Record<string, string>;
  /** The secret fields as sealed JSON. */
  sealed: string;
}

export interface LiveConnection {
  program: ProgramId;
  values: ConnectionValues;
}

/** What the screen may show: the non-secret values and which secrets are set. */
export interface LiveConnectionView {
  program: ProgramId;
  plain: Record<string, string>;
  secretsSet: string[];
}

export function saveLiveConnection(store: Store, box: SecretBox | null, program: ProgramId, values: ConnectionValues): void {
  if (!box) throw new PosError('NOT_SUPPORTED', 'Credentials cannot be stored on this host: no encryption is set up.');
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const f of allFields(programOf(program))) {
    const v = values[f.key];
    if (v === undefined) continue;
    (f.kind === 'secret' ? secret : plain)[f.key] = v;
  }
  const stored: Stored = { program, plain, sealed: box.seal(JSON.stringify(secret)) };
  store.setSetting(LIVE_CONNECTION_SETTING, JSON.stringify(stored));
}

function readStored(store: Store): Stored | null {
  const raw = store.getSetting(LIVE_CONNECTION_SETTING);
  if (!raw) return null;
  const s = JSON.parse(raw) as Stored;
  if (!isProgramId(s.program)) throw new PosError('NOT_SUPPORTED', `The stored live connection names an unknown program "${String(s.program)}".`);
  return s;
}

/** The connection in full (secrets opened), for building the adapter. Never pass it to a transport or a log. */
export function loadLiveConnection(store: Store, box: SecretBox | null): LiveConnection | null {
  const s = readStored(store);
  if (!s) return null;
  if (!box) throw new PosError('NOT_SUPPORTED', 'The live credentials cannot be opened on this host: no encryption is set up.');
  let secret: Record<string, string>;
  try {
    secret = JSON.parse(box.open(s.sealed)) as Record<string, string>;
  } catch {
    throw new PosError(
      'BACKEND_AUTH',
      'The stored live credentials cannot be opened here (sealed by another machine or damaged): a manager must enter them again.',
    );
  }
  return { program: s.program, values: { ...s.plain, ...secret } };
}

export function liveConnectionView(store: Store): LiveConnectionView | null {
  const s = readStored(store);
  if (!s) return null;
  const secretKeys = allFields(programOf(s.program))
    .filter((f) => f.kind === 'secret')
    .map((f) => f.key);
  // Which secrets are set is known without opening them: the sealed record's keys are not stored in clear, so say all declared ones.
  return { program: s.program, plain: { ...s.plain }, secretsSet: secretKeys };
}
