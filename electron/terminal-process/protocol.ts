/**
 * What the window's process (Electron main, or the web host) and the terminal
 * service's own process say to each other. The service process runs the
 * runtime (SQLite, the outbox, the adapters); the host only forwards the
 * contract's calls and the pushed events.
 *
 * The calls carry the contract's own request/answer envelope unchanged: the
 * service answers `{ t: 'answer', id, envelope }` with exactly what
 * `runtime.call(method, input)` returned in-process.
 *
 * Every message is a plain structured-clonable object, so the same protocol
 * runs over an Electron MessagePort (utilityProcess) and over a Node child
 * process's IPC channel (child_process.fork, `serialization: 'advanced'`):
 * only the `MessageLink` differs.
 */
import type { ConnectionTestResult } from '../../shared/connection-test.js';
import type { Envelope, TerminalEvent } from '../../shared/contract.js';
import type { RuntimeOptions } from '../runtime.js';

/** One end of the channel between the two processes. */
export interface MessageLink {
  send(message: unknown): void;
  /** Registers the one listener for incoming messages. */
  onMessage(listener: (message: unknown) => void): void;
}

/** How credentials are sealed in the service process (safeStorage itself only exists in Electron's main process). */
export type SecretSetup =
  /** The web host and tests, or a desktop whose OS cannot protect a key (`reason`, shown in Settings): the key file in the data directory. */
  | { kind: 'file-key'; reason?: string }
  /** Electron: a data key the OS protects (safeStorage), unwrapped by the main process and handed over in memory only. */
  | { kind: 'os-key'; key: Uint8Array; description: string };

/** Tuning that can cross a process (no functions: the clock, the random source and the request timer stay in-process options). */
export type ServiceTuning = Omit<NonNullable<RuntimeOptions['tuning']>, 'clock' | 'random' | 'requestTimer'>;

/**
 * What the host tells the service at start: the runtime's options, minus what
 * cannot cross a process (the secret box, the network, functions in tuning),
 * plus what the host knows for it.
 */
export type ServiceStartOptions = Omit<RuntimeOptions, 'secretBox' | 'network' | 'tuning'> & {
  tuning?: ServiceTuning;
  /** Where the host's log file is: the service's lines are sent to the host, which writes them there (one writer rotates the files). */
  logDir?: string | null;
  secret?: SecretSetup;
  /** Electron: better-sqlite3's build for Electron's ABI (store/sqlite-binding.ts, chosen by the main process); null: the Node build. */
  sqliteBinding?: string | null;
};

/** What the host learns once the runtime is up (the web host prints it). */
export interface ServiceInfo {
  pid: number;
  mode: 'training' | 'live';
  sandboxUrl: string | null;
  connectionTest: ConnectionTestResult | null;
  shipping: { enabled: boolean; target: string | null };
  /** Redemptions and refunds waiting at start; pushed status events keep the host's copy current. */
  waiting: number;
}

export type ToService =
  | { t: 'start'; options: ServiceStartOptions }
  | { t: 'call'; id: number; method: unknown; input: unknown }
  /** Opens a CSV export / bundle / PDF by its one-time ticket. */
  | { t: 'export'; id: number; ticket: string }
  /** The host wants the next chunk of export `id` (the first one starts the stream): one chunk in flight, so a slow save never fills memory. */
  | { t: 'export-more'; id: number }
  | { t: 'close' };

export type FromService =
  | { t: 'ready'; info: ServiceInfo }
  | { t: 'failed'; error: { name: string; message: string } }
  | { t: 'answer'; id: number; envelope: Envelope<unknown> }
  | { t: 'event'; event: TerminalEvent }
  | { t: 'export-head'; id: number; head: { filename: string; contentType: string } | null }
  | { t: 'export-chunk'; id: number; data: Uint8Array }
  | { t: 'export-end'; id: number; error?: string }
  /** One JSON log line for the host's log file. */
  | { t: 'log'; line: string }
  | { t: 'closed' };

/** A message from the other process, checked for the one field every message has. */
export function messageType(m: unknown): string | null {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string' ? (m as { t: string }).t : null;
}
