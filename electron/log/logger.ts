/**
 * The terminal's one log. Every module asks `logger('outbox')` for a scoped
 * log and writes `log.error('could not store the outcome', err)`; nothing in
 * shipped code calls console.* (test/architecture.test.ts checks).
 *
 * Until `installLog` runs (the web host CLI and the Electron main process call
 * it at start), lines go to stderr at level warn, which is what tests and
 * library users see. After it, lines go as JSON (pino) to a rotating file in
 * the log folder (log-dir.ts), at the level in settings.
 *
 * Every message and field is redacted (redact.ts) before pino sees it, so no
 * serializer or transport can bypass the rules.
 */
import pino from 'pino';
import { redact, redactText, serializeError } from './redact.js';
import { RotatingFile, type RotationLimits } from './rotating-file.js';

import { LOG_LEVELS, type LogLevel } from '../../shared/contract/manager.js';

export { LOG_LEVELS, type LogLevel };
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
/** The settings key holding the level. */
export const LOG_LEVEL_SETTING = 'log_level';

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v);
}

/** What a log call may carry besides its message: an error, or fields (an `err` field may be an Error). */
export type LogDetail = Error | Record<string, unknown> | unknown;

export interface Log {
  debug(message: string, detail?: LogDetail): void;
  info(message: string, detail?: LogDetail): void;
  warn(message: string, detail?: LogDetail): void;
  error(message: string, detail?: LogDetail): void;
}

interface Sink {
  write(line: string): unknown;
}

/**
 * 'notice' sits above error: a line every level writes. Used for the facts a
 * support desk needs whatever the level was (the level itself being changed).
 */
const NOTICE_LEVEL = 55;

let root = makeRoot({ write: (line: string) => process.stderr.write(line) }, 'warn');
let file: RotatingFile | null = null;
let fileDir: string | null = null;
/** Lines go to the host process (the terminal service's process: terminal-process/serve.ts). */
let forwarding = false;

function makeRoot(dest: Sink, level: LogLevel) {
  return pino<'notice'>(
    {
      level,
      customLevels: { notice: NOTICE_LEVEL },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}

function fieldsOf(detail: LogDetail): Record<string, unknown> {
  if (detail === undefined) return {};
  if (detail instanceof Error) return { err: serializeError(detail) };
  if (typeof detail === 'object' && detail !== null && !Array.isArray(detail)) return redact(detail) as Record<string, unknown>;
  return { detail: redact(detail) };
}

/** A log whose lines carry `scope` (the module writing them). */
export function logger(scope: string): Log {
  const at =
    (level: LogLevel) =>
    (message: string, detail?: LogDetail): void => {
      if (!root.isLevelEnabled(level)) return;
      root[level]({ scope, ...fieldsOf(detail) }, redactText(message));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface InstalledLog {
  dir: string;
  /** The file being written now. */
  currentFile: string;
  close(): void;
}

/** Sends every log line to rotating files in `dir` from now on. */
export function installLog(opts: { dir: string; level?: LogLevel; limits?: Partial<RotationLimits>; now?: () => number }): InstalledLog {
  file?.close();
  const target = new RotatingFile(opts.dir, opts.limits, opts.now);
  file = target;
  fileDir = opts.dir;
  root = makeRoot(target, opts.level ?? DEFAULT_LOG_LEVEL);
  return {
    dir: opts.dir,
    currentFile: target.currentPath,
    close() {
      if (file !== target) return;
      target.close();
      file = null;
      fileDir = null;
      root = makeRoot({ write: (line: string) => process.stderr.write(line) }, 'warn');
    },
  };
}

/**
 * The terminal service's process: every line goes to `send` (the host writes
 * it into its own file with writeLogLine), so one process rotates the files.
 * `dir` is the host's log folder (the support bundle reads it).
 */
export function forwardLog(opts: { dir: string; level?: LogLevel; send: (line: string) => void }): void {
  file?.close();
  file = null;
  fileDir = opts.dir;
  forwarding = true;
  root = makeRoot({ write: opts.send }, opts.level ?? DEFAULT_LOG_LEVEL);
}

/** The host: one line the terminal service's process wrote (already redacted there), into the installed file. */
export function writeLogLine(line: string): void {
  if (file) file.write(line.endsWith('\n') ? line : `${line}\n`);
  else process.stderr.write(line);
}

/**
 * Sets the level of the installed log. Without one (tests, a library user),
 * stderr stays at warn: a test run should not print every sale.
 */
export function setLogLevel(level: LogLevel, change?: { by: string }): void {
  if (!file && !forwarding) return;
  const from = root.level;
  root.level = level;
  // Written at 'notice' (above error): the change is in the log whichever level it went to.
  if (change && from !== level) root.notice({ scope: 'log', from, to: level, by: change.by }, 'log level changed');
}

/** The level lines are written at now (tests; the settings screen shows the stored one). */
export function currentLogLevel(): LogLevel {
  return root.level as LogLevel;
}

/** Where the installed log writes (null before installLog: the support bundle then has no logs). */
export function installedLogDir(): string | null {
  return fileDir;
}

/**
 * Routes console.* (third-party code, a forgotten debug line) into the log, so
 * nothing printed is lost in a packaged app that has no console. Returns the
 * function that restores the console.
 */
export function routeConsoleToLog(scope = 'console'): () => void {
  const log = logger(scope);
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const join = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message}` : safeJson(a))).join(' ');
  const firstError = (args: unknown[]) => args.find((a): a is Error => a instanceof Error);
  console.log = (...a: unknown[]) => log.info(join(a));
  console.info = (...a: unknown[]) => log.info(join(a));
  console.debug = (...a: unknown[]) => log.debug(join(a));
  console.warn = (...a: unknown[]) => log.warn(join(a), firstError(a));
  console.error = (...a: unknown[]) => log.error(join(a), firstError(a));
  return () => Object.assign(console, saved);
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(redact(v));
  } catch {
    return String(v);
  }
}
