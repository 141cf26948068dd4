/**
 * Who may read the terminal's data on disk: only the user it runs as. The
 * database holds the PIN hashes (a 4-digit PIN space falls in minutes to an
 * offline search of a copied file), the member-hash key and, sealed, the
 * backend's credentials; the key file opens those.
 *
 * The data directory is 0700 and every file the terminal keeps in it 0600.
 * `secureDataDir` checks that at every start and repairs what is wrong,
 * returning each repair so the caller can log it. The umask (`privateUmask`)
 * makes files created later (SQLite's -wal/-shm, exports saved by the
 * Electron shell's downloads) private from the start. POSIX only: Windows
 * keeps ACLs instead of modes, and the per-user app-data folder is private
 * there already.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The files of a data directory the terminal keeps private (where present). */
export const PRIVATE_FILES = [
  'terminal.db',
  'terminal.db-wal',
  'terminal.db-shm',
  'terminal.db-journal',
  // live mode's own database (electron/mode.ts) and the mode pointer
  'terminal-live.db',
  'terminal-live.db-wal',
  'terminal-live.db-shm',
  'terminal-live.db-journal',
  'mode.json',
  'secret.key',
  'log-head.json',
  'terminal.lock',
] as const;

export interface ModeRepair {
  path: string;
  /** The mode found, octal ('755'). */
  from: string;
  to: string;
}

const octal = (m: number) => (m & 0o777).toString(8);

/**
 * Makes `dir` exist with mode 0700 and the terminal's files in it 0600.
 * Returns what had to be changed (empty when all was right).
 */
export function secureDataDir(dir: string, platform: NodeJS.Platform = process.platform): ModeRepair[] {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (platform === 'win32') return [];
  const repairs: ModeRepair[] = [];
  const fix = (path: string, want: number) => {
    const mode = statSync(path).mode & 0o777;
    if ((mode & ~want) === 0) return; // no bit beyond what is wanted (0400 is fine for a file)
    chmodSync(path, want);
    repairs.push({ path, from: octal(mode), to: octal(want) });
  };
  fix(dir, DIR_MODE);
  for (const name of PRIVATE_FILES) {
    const path = join(dir, name);
    if (existsSync(path)) fix(path, FILE_MODE);
  }
  return repairs;
}

/** Files created from now on are private to this user (0600 / 0700). Returns the previous umask. */
export function privateUmask(): number {
  return process.umask(0o077);
}
