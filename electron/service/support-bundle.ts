/**
 * The support bundle: one zip a store manager downloads from the desk and
 * sends to the support desk, with what they need to understand a terminal's
 * trouble and nothing a thief could use.
 *
 *   README.txt                what is inside
 *   versions.json             app, Electron, Chromium, Node, OS
 *   settings.json             the terminal's settings, credentials left out
 *   log-verification.json     the hash-chained sales log's verification
 *   queue.json                redemptions and refunds waiting or needing attention
 *   crash-reports.json        the crash reporter's minidumps on this PC (names, times, sizes;
 *                             not the dumps: process memory cannot be redacted)
 *   logs/terminal*.log        the rotating log files
 *
 * Every file is redacted again as it goes in (redact.ts), whatever wrote it:
 * the log files were redacted when written, but a line from an older version
 * or a rule added since must not slip out.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { SettingsView, VerifyReport } from '../../shared/contract/manager.js';
import { redact, redactText } from '../log/redact.js';
import { listLogFiles } from '../log/rotating-file.js';
import type { Store } from '../store/store.js';

export interface QueueSummary {
  waiting: number;
  attention: number;
  byKindAndState: { kind: string; state: string; count: number; oldestCreatedAt: string | null }[];
  nextAttemptAt: string | null;
}

export function queueSummary(store: Store): QueueSummary {
  const rows = store.db
    .prepare(
      `SELECT kind, state, COUNT(*) AS count, MIN(created_at) AS oldest FROM outbox WHERE state IN ('pending', 'attention') GROUP BY kind, state ORDER BY kind, state`,
    )
    .all() as { kind: string; state: string; count: number; oldest: string | null }[];
  const next = store.outbox.nextDueAt();
  return {
    ...store.outbox.counts(),
    byKindAndState: rows.map((r) => ({ kind: r.kind, state: r.state, count: r.count, oldestCreatedAt: r.oldest })),
    nextAttemptAt: next === null ? null : new Date(next).toISOString(),
  };
}

export interface BundleParts {
  /** Where the log files are (null: the log is not installed, e.g. a library user). */
  logDir: string | null;
  versions: Record<string, unknown>;
  settings: SettingsView;
  verification: VerifyReport | { error: string };
  queue: QueueSummary;
  crashDumps: { file: string; at: string; bytes: number }[];
  createdAt: string;
}

/** Settings as support may see them (they hold no secret; redacted all the same). */
export function settingsWithoutSecrets(s: SettingsView): Record<string, unknown> {
  return redact({ ...s }) as Record<string, unknown>;
}

const json = (v: unknown) => strToU8(JSON.stringify(redact(v), null, 2) + '\n');

export function buildSupportBundle(p: BundleParts): Uint8Array {
  const files: Zippable = {
    'README.txt': strToU8(readme(p)),
    'versions.json': json(p.versions),
    'settings.json': json(settingsWithoutSecrets(p.settings)),
    'log-verification.json': json(p.verification),
    'queue.json': json(p.queue),
    'crash-reports.json': json({ dumps: p.crashDumps }),
  };
  if (p.logDir) {
    for (const file of listLogFiles(p.logDir).reverse()) {
      const text = readFileSync(file, 'utf8');
      files[`logs/${basename(file)}`] = strToU8(text.split('\n').map(redactText).join('\n'));
    }
  }
  return zipSync(files, { level: 6, mtime: new Date(p.createdAt) });
}

function readme(p: BundleParts): string {
  return [
    `Pay with Points support bundle, made ${p.createdAt}`,
    '',
    'versions.json          app, Electron, Chromium, Node and OS versions',
    'settings.json          the settings (credentials left out: only which fields are stored)',
    'log-verification.json  the sales log checked end to end (intact: true means no entry was changed or removed)',
    'queue.json             redemptions and refunds not yet sent, or needing attention',
    'crash-reports.json     crash minidumps kept on the PC (listed only: a dump holds process memory, which cannot be redacted)',
    p.logDir
      ? 'logs/                  the terminal log files (JSON lines, newest in terminal.log)'
      : 'logs/                  (no log files: the log is not installed in this process)',
    '',
    'Member numbers appear masked (last four digits); tokens, keys, PINs and card numbers are removed.',
    '',
  ].join('\n');
}
