/**
 * Setting a terminal up from a file (a chain's fleet roll-out):
 * `npm run web -- --config FILE`, Electron `--config FILE` or PWP_CONFIG.
 *
 * The file is JSON, validated against schema/terminal-config.schema.json
 * (built from the program descriptors; test/config-schema.test.ts keeps the
 * committed file equal to buildConfigSchema()). Secrets are given literally
 * or as {"env": "NAME"}. Every problem is reported with its JSON path and
 * nothing is written until the whole file is good; then the settings and the
 * sealed connection go into the mode's database in one transaction, and the
 * mode pointer last. After that the file may be deleted: the terminal keeps
 * what it needs, the secrets sealed as the go-live screen seals them.
 */
import { EXTRA_CA_FIELD, extraCaProblem } from './adapters/extra-ca.js';
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { checkConnection } from '../shared/programs/check.js';
import { allFields, isProgramId, PROGRAM_IDS, PROGRAMS, type ConnectionField, type ProgramDescriptor, type ProgramId } from '../shared/programs/index.js';
import { readFlag } from './config.js';
import { databaseFile, readMode, writeMode, type TerminalMode } from './mode.js';
import { saveLiveConnection } from './service/live-connection.js';
import { DEFAULT_OFFLINE_LIMITS, OFFLINE_POLICY_SETTING, validateLimits, type OfflineLimits } from './service/offline-policy.js';
import type { SecretBox } from './service/secret-box.js';
import { Store } from './store/store.js';
import { LOG_LEVELS, PRINTER_KINDS, type LogLevel, type PrinterSettings } from '../shared/contract/manager.js';
import { checkPrinter, CRASH_REPORT_URL_KEY, DEFAULT_PRINTER, LOG_LEVEL_KEY, PRINTER_KEY, UPDATE_URL_KEY } from './service/settings-store.js';
import { maintenanceUrlProblem } from './maintenance-files.js';

export const CONFIG_FLAG = '--config';
export const CONFIG_ENV = 'PWP_CONFIG';
/** Where the schema is committed, relative to the repository root. */
export const CONFIG_SCHEMA_PATH = 'schema/terminal-config.schema.json';
export const CONFIG_SCHEMA_ID = 'https://pay-with-points.invalid/schema/terminal-config.schema.json';

/** A config file that cannot be used: every problem with its JSON path. The CLI exits with code 2. */
export class ProvisioningError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`${file}: ${problems.map((p) => `${p.path || '(file)'}: ${p.message}`).join('; ')}`);
    this.name = 'ProvisioningError';
  }
}

export interface TerminalConfig {
  mode: TerminalMode;
  backend: ProgramId;
  /** Connection fields and program settings together, secrets resolved. */
  values: Record<string, string>;
  store?: { id?: string; name?: string };
  terminal?: { id?: string; name?: string };
  offline?: OfflineLimits;
  /** The chain's PostgreSQL for the log (issue 16), secret resolved: the file wins over Settings. */
  shipping?: { postgresUrl: string };
  /** The terminal log's level (the Settings field; the file wins at each start it is given). */
  logLevel?: LogLevel;
  /** The slip printer (Settings, "Slip printer"), over the defaults. */
  printer?: Partial<PrinterSettings>;
  /** The chain's update server (electron-updater generic provider): wins over Settings. */
  updates?: { url: string };
  /** Where crash minidumps are uploaded (Sentry minidump endpoint, Crashpad server): wins over Settings. */
  crashReports?: { submitUrl: string };
}

type Json = Record<string, unknown>;

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

function fieldSchema(f: ConnectionField): Json {
  const described = { description: `${f.label}: ${f.help}` };
  switch (f.kind) {
    case 'secret':
      return {
        ...described,
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'object', required: ['env'], additionalProperties: false, properties: { env: { type: 'string', pattern: ENV_NAME } } },
        ],
      };
    case 'integer':
      return { ...described, type: 'integer' };
    case 'boolean':
      return { ...described, type: 'boolean' };
    case 'json':
      return { ...described, type: 'object' };
    case 'url':
      return { ...described, type: 'string', minLength: 1, pattern: '^https?://' };
    default:
      return { ...described, type: 'string', minLength: 1, ...(f.choices ? { enum: [...f.choices] } : {}) };
  }
}

function sectionSchema(p: ProgramDescriptor, fields: readonly ConnectionField[]): Json {
  const inAlternative = new Set((p.alternatives ?? []).flat());
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(fields.map((f) => [f.key, fieldSchema(f)])),
    required: fields.filter((f) => f.required && f.default === undefined && !inAlternative.has(f.key)).map((f) => f.key),
  };
}

const idName = (what: string): Json => ({
  type: 'object',
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 60 }, name: { type: 'string', minLength: 1, maxLength: 60 } },
  description: `The ${what}'s id and name as the chain knows them.`,
});

/** The config file's JSON Schema, derived from the program descriptors. */
export function buildConfigSchema(): Json {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: CONFIG_SCHEMA_ID,
    title: 'Pay with Points terminal configuration',
    description:
      'Sets a terminal up from a file: npm run web -- --config FILE, or the app with --config FILE / PWP_CONFIG. Secrets: a string, or {"env": "NAME"} to read an environment variable.',
    type: 'object',
    additionalProperties: false,
    required: ['mode', 'backend'],
    properties: {
      $schema: {
        type: 'string',
        // The $id names the schema; it is no address to fetch it from. What editors can resolve is the file itself.
        description: `For editors: the path of ${CONFIG_SCHEMA_PATH} relative to this file (schema/examples/ uses ../terminal-config.schema.json), or its file:// URL. The terminal does not read it.`,
      },
      mode: { enum: ['live', 'training'], description: "live: the store's real program; training: the built-in emulators." },
      backend: { enum: [...PROGRAM_IDS], description: 'The loyalty program.' },
      connection: { type: 'object', description: 'The program\'s connection fields, named as in its documentation (see README, "Going live").' },
      program: { type: 'object', description: "The program's own settings the API does not give (points value, min/max...)." },
      store: idName('store'),
      terminal: idName('terminal'),
      shipping: {
        type: 'object',
        additionalProperties: false,
        required: ['postgresUrl'],
        description: 'Ships every log entry to the chain\'s PostgreSQL (off when absent). The address holds a password: give it as {"env": "NAME"}.',
        properties: {
          postgresUrl: {
            oneOf: [
              { type: 'string', pattern: '^postgres(ql)?://\\S+$' },
              { type: 'object', required: ['env'], additionalProperties: false, properties: { env: { type: 'string', pattern: ENV_NAME } } },
            ],
          },
        },
      },
      logLevel: {
        enum: [...LOG_LEVELS],
        description: 'The terminal log\'s level (Settings, "Log level"); default info. debug also writes every call\'s outline, for a support desk.',
      },
      printer: {
        type: 'object',
        additionalProperties: false,
        description: "The slip printer: an ESC/POS printer on the network (raw TCP, port 9100) or a USB printer's device file; none: slips as PDF only.",
        properties: {
          kind: { enum: [...PRINTER_KINDS] },
          host: { type: 'string', pattern: '^[A-Za-z0-9.:-]+$', description: "network: the printer's IP address or host name." },
          port: { type: 'integer', minimum: 1, maximum: 65535, description: 'network: default 9100.' },
          devicePath: { type: 'string', minLength: 1, description: 'device: e.g. /dev/usb/lp0.' },
          paper: { enum: [58, 80], description: 'The roll width in mm (32 or 48 characters a line).' },
          autoPrint: { type: 'boolean', description: 'Print the slip by itself after Paid, a void or a refund (default true).' },
        },
      },
      updates: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        description: "The chain's update server: an HTTPS folder holding latest.yml and the installers `npm run dist` made (see README, Running a store).",
        properties: { url: { type: 'string', pattern: '^https://\\S+$' } },
      },
      crashReports: {
        type: 'object',
        additionalProperties: false,
        required: ['submitUrl'],
        description:
          "Uploads crash minidumps (otherwise kept on the PC only): a Crashpad server or Sentry's minidump endpoint https://<host>/api/<project>/minidump/?sentry_key=<key>.",
        properties: { submitUrl: { type: 'string', pattern: '^https://\\S+$' } },
      },
      offline: {
        type: 'object',
        additionalProperties: false,
        description: "The manager's offline limits (points in thousandths, as the settings screen stores them).",
        properties: Object.fromEntries(Object.keys(DEFAULT_OFFLINE_LIMITS).map((k) => [k, { type: 'integer', minimum: 0 }])),
      },
    },
    allOf: [
      { if: { properties: { mode: { const: 'live' } } }, then: { required: ['connection'] } },
      ...PROGRAMS.map((p) => ({
        if: { properties: { backend: { const: p.id } }, required: ['backend'] },
        then: { properties: { connection: sectionSchema(p, p.connection), program: sectionSchema(p, p.programSettings) } },
      })),
    ],
  };
}

let validator: ReturnType<Ajv['compile']> | null = null;
function validate(doc: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(buildConfigSchema());
  return validator(doc) ? [] : (validator.errors ?? []);
}

/** "/connection/clientSecret" -> "connection.clientSecret"; a missing property is named by its own path. */
function pathOf(e: ErrorObject): string {
  const base = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  const extra =
    e.keyword === 'required'
      ? (e.params as { missingProperty: string }).missingProperty
      : e.keyword === 'additionalProperties'
        ? (e.params as { additionalProperty: string }).additionalProperty
        : '';
  return [base, extra].filter(Boolean).join('.');
}

function messageOf(e: ErrorObject): string {
  if (e.keyword === 'required') return 'is missing';
  if (e.keyword === 'additionalProperties') return 'is not a known field';
  if (e.keyword === 'enum') return `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  if (e.keyword === 'oneOf') return 'must be a string, or {"env": "NAME"}';
  return e.message ?? 'is not valid';
}

/** The schema's problems, most useful first: the wrappers (if/then, oneOf branches) are left out when a specific one exists. */
function schemaProblems(doc: unknown): { path: string; message: string }[] {
  const errors = validate(doc).filter((e) => e.keyword !== 'if');
  const secretPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const out: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // A bad secret: one message ("a string, or {env}") instead of each branch's.
    if (!e.keyword.startsWith('oneOf') && [...secretPaths].some((p) => e.instancePath.startsWith(p) && e.schemaPath.includes('/oneOf/'))) continue;
    const p = { path: pathOf(e), message: messageOf(e) };
    const key = `${p.path}|${p.message}`;
    if (!seen.has(key)) out.push(p);
    seen.add(key);
  }
  return out;
}

/**
 * Reads, validates and resolves a config file. Throws ProvisioningError
 * with every problem found (JSON path + plain words); reads the environment
 * for {"env": NAME} secrets.
 */
export function readTerminalConfig(file: string, env: Readonly<Record<string, string | undefined>> = process.env): TerminalConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProvisioningError(file, [{ path: '', message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProvisioningError(file, [{ path: '', message: `is not valid JSON (${(e as Error).message})` }]);
  }
  const problems = schemaProblems(doc);
  if (problems.length) throw new ProvisioningError(file, problems);
  const d = doc as {
    mode: TerminalMode;
    backend: string;
    connection?: Json;
    program?: Json;
    store?: TerminalConfig['store'];
    terminal?: TerminalConfig['terminal'];
    offline?: Json;
    shipping?: { postgresUrl: string | { env: string } };
    logLevel?: LogLevel;
    printer?: Partial<PrinterSettings>;
    updates?: { url: string };
    crashReports?: { submitUrl: string };
  };
  if (!isProgramId(d.backend)) throw new ProvisioningError(file, [{ path: 'backend', message: `unknown program "${d.backend}"` }]);
  const p = PROGRAMS.find((x) => x.id === d.backend)!;

  // Secrets from the environment, values as strings (as the go-live screen sends them).
  const values: Record<string, string> = {};
  const fields = new Map(allFields(p).map((f) => [f.key, f]));
  for (const [section, obj] of [
    ['connection', d.connection ?? {}],
    ['program', d.program ?? {}],
  ] as const) {
    for (const [key, raw] of Object.entries(obj)) {
      const f = fields.get(key)!;
      if (f.kind === 'secret' && typeof raw === 'object' && raw !== null) {
        const name = (raw as { env: string }).env;
        const v = env[name];
        if (v === undefined || v === '') problems.push({ path: `${section}.${key}.env`, message: `the environment variable ${name} is not set` });
        else values[key] = v;
      } else {
        values[key] = f.kind === 'json' ? JSON.stringify(raw) : String(raw);
      }
    }
  }
  if (d.mode === 'live') {
    const checked = checkConnection(p, values);
    for (const prob of checked.problems) {
      // An unset env secret was already said; do not say "missing" for it again.
      if (!problems.some((x) => x.path.startsWith(`${prob.path}.`))) problems.push(prob);
    }
    Object.assign(values, checked.values);
    // The CA's shape was checked above; here each certificate is read (only Node can).
    const ca = checked.values[EXTRA_CA_FIELD] === undefined ? null : extraCaProblem(checked.values[EXTRA_CA_FIELD]);
    if (ca) problems.push({ path: `connection.${EXTRA_CA_FIELD}`, message: ca });
  }
  let offline: OfflineLimits | undefined;
  if (d.offline) {
    try {
      offline = validateLimits(d.offline);
    } catch (e) {
      problems.push({ path: `offline.${String((e as { details?: { field?: string } }).details?.field ?? '')}`, message: (e as Error).message });
    }
  }
  let shipping: TerminalConfig['shipping'];
  if (d.shipping) {
    const raw = d.shipping.postgresUrl;
    const url = typeof raw === 'string' ? raw : env[raw.env];
    if (url === undefined || url === '')
      problems.push({ path: 'shipping.postgresUrl.env', message: `the environment variable ${(raw as { env: string }).env} is not set` });
    else if (!/^postgres(ql)?:\/\/\S+$/.test(url))
      problems.push({ path: 'shipping.postgresUrl', message: 'not a postgres://user:password@host:5432/database address' });
    else shipping = { postgresUrl: url };
  }
  if (d.printer) {
    try {
      checkPrinter({ ...DEFAULT_PRINTER, ...d.printer });
    } catch (e) {
      problems.push({ path: String((e as { details?: { field?: string } }).details?.field ?? 'printer'), message: (e as Error).message });
    }
  }
  for (const [path, url] of [
    ['updates.url', d.updates?.url],
    ['crashReports.submitUrl', d.crashReports?.submitUrl],
  ] as const) {
    const problem = url === undefined ? null : maintenanceUrlProblem(url);
    if (problem) problems.push({ path, message: problem });
  }
  if (problems.length) throw new ProvisioningError(file, problems);
  return {
    mode: d.mode,
    backend: d.backend,
    values,
    store: d.store,
    terminal: d.terminal,
    offline,
    ...(shipping ? { shipping } : {}),
    ...(d.logLevel ? { logLevel: d.logLevel } : {}),
    ...(d.printer ? { printer: d.printer } : {}),
    ...(d.updates ? { updates: d.updates } : {}),
    ...(d.crashReports ? { crashReports: d.crashReports } : {}),
  };
}

/**
 * Writes a validated config into the data directory: the mode's database
 * gets the settings and (live) the sealed connection in one transaction;
 * the mode pointer is written last. Applied at every start the file is
 * given (the fleet's file wins over what was changed on screen since).
 */
export function applyTerminalConfig(dataDir: string, config: TerminalConfig, box: SecretBox, source: string): void {
  refuseSwitchWithQueue(dataDir, config, source);
  const store = Store.open(databaseFile(dataDir, config.mode));
  try {
    store.transaction(() => {
      const set = (key: string, v: string | undefined) => v !== undefined && store.setSetting(key, v);
      set('store_id', config.store?.id);
      set('store_name', config.store?.name);
      set('terminal_id', config.terminal?.id);
      set('terminal_name', config.terminal?.name);
      set('backend', config.backend);
      if (config.offline) set(OFFLINE_POLICY_SETTING, JSON.stringify(config.offline));
      set(LOG_LEVEL_KEY, config.logLevel);
      if (config.printer) set(PRINTER_KEY, JSON.stringify({ ...DEFAULT_PRINTER, ...config.printer }));
      set(UPDATE_URL_KEY, config.updates?.url);
      set(CRASH_REPORT_URL_KEY, config.crashReports?.submitUrl);
      if (config.mode === 'live') saveLiveConnection(store, box, config.backend, config.values);
      const terminalId = store.getSetting('terminal_id') ?? 'terminal';
      // Which fields, never their values.
      store.journal.append({
        at: new Date().toISOString(),
        terminalId,
        actor: 'config-file',
        kind: 'config.applied',
        outcome: 'ok',
        detail: { file: source, mode: config.mode, program: config.backend, fields: Object.keys(config.values).sort() },
      });
    });
  } finally {
    store.close();
  }
  writeMode(dataDir, config.mode);
}

/**
 * A file may not do what the desk may not: leave rows waiting in the queue of
 * the mode (or program) it switches away from. They would never be sent (a
 * live redemption the member was told about), or be sent to another program.
 * Nothing is written; the terminal started without the file sends them.
 */
function refuseSwitchWithQueue(dataDir: string, config: TerminalConfig, source: string): void {
  const current = readMode(dataDir);
  const file = databaseFile(dataDir, current);
  if (!existsSync(file)) return;
  const store = Store.open(file);
  try {
    const q = store.outbox.counts();
    const rows = q.waiting + q.attention;
    const program = store.getSetting('backend');
    const modeChanges = current !== config.mode;
    if (rows === 0 || (!modeChanges && (program === undefined || program === config.backend))) return;
    const what = modeChanges ? `switch this terminal from ${current} to ${config.mode}` : `move this terminal from ${program} to ${config.backend}`;
    throw new ProvisioningError(source, [
      {
        path: modeChanges ? 'mode' : 'backend',
        message: `cannot ${what}: ${rows} redemption(s) or refund(s) are still in its ${current} queue. Start the terminal without the file so they are sent (or a manager handles them), then start with the file again.`,
      },
    ]);
  } finally {
    store.close();
  }
}

/** The config file named on the command line or in PWP_CONFIG, if any. */
export function configFileFrom(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string | undefined {
  // Electron's argv carries Chromium's own switches too: readFlag picks ours out of it (and says when the value is missing).
  return readFlag(argv, CONFIG_FLAG) ?? (env[CONFIG_ENV]?.trim() || undefined);
}
