/**
 * Training or live, and where each mode keeps its data. Each mode has its
 * own database file (sales, log, queue, end of day, settings), so training's
 * figures never reach live's views, exports or totals and the other way
 * round. Which mode the terminal runs in is a small file beside them, written
 * atomically and only after the mode's database is ready.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type TerminalMode = 'training' | 'live';

/** Training keeps the original file name, so an existing install's data stays training data. */
export const DATABASE_FILES: Readonly<Record<TerminalMode, string>> = { training: 'terminal.db', live: 'terminal-live.db' };
export const MODE_FILE = 'mode.json';

export function databaseFile(dataDir: string, mode: TerminalMode): string {
  return join(dataDir, DATABASE_FILES[mode]);
}

/** The mode the terminal starts in: training unless a manager or a config file took it live. */
export function readMode(dataDir: string): TerminalMode {
  const file = join(dataDir, MODE_FILE);
  if (!existsSync(file)) return 'training';
  try {
    const m = (JSON.parse(readFileSync(file, 'utf8')) as { mode?: unknown }).mode;
    return m === 'live' ? 'live' : 'training';
  } catch {
    // A damaged pointer must not silently send a live terminal's sales into training (or back):
    // refuse to start and say which file.
    throw new Error(`${file} is damaged: write {"mode":"training"} or {"mode":"live"} into it, or delete it to start in training.`);
  }
}

export function writeMode(dataDir: string, mode: TerminalMode): void {
  const file = join(dataDir, MODE_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ mode }) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}
