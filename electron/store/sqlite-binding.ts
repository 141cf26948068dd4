/**
 * Which compiled better-sqlite3 addon this process must load.
 *
 * A native addon only loads into the runtime whose ABI it was compiled for
 * (NODE_MODULE_VERSION). `npm install` builds better-sqlite3 for Node; Electron
 * 41 has another ABI. The Node build stays where npm put it (node_modules, used
 * by the tests and the web host); an Electron build is kept apart, in a folder
 * named after the Electron version (which fixes the ABI), the platform and the
 * architecture, so a build for another Electron is never picked up by mistake:
 *
 *   development (`npm start`):  <project>/native/electron/electron-<version>-<platform>-<arch>/better_sqlite3.node
 *   packaged app:               <resources>/native-sqlite/electron-<version>-<platform>-<arch>/better_sqlite3.node
 *
 * scripts/native-electron.ts makes the first; build/electron-builder.yml copies
 * native/electron/ to the second (extraResources). Pure: the caller passes the
 * process facts and a file-exists check.
 */
import { join } from 'node:path';

export const ADDON_FILE = 'better_sqlite3.node';
/** Under the project folder: where `npm start` keeps the Electron builds. */
export const DEV_ELECTRON_DIR = join('native', 'electron');
/** Under the packaged app's resources folder (electron-builder extraResources). */
export const PACKAGED_ELECTRON_DIR = 'native-sqlite';

export interface BindingFacts {
  /** process.versions: `electron` is set only inside Electron. */
  versions: { electron?: string | undefined };
  platform: string;
  arch: string;
  /** Electron's app.isPackaged. */
  packaged: boolean;
  /** The project folder (`electron .`'s app path) in development. */
  appRoot: string;
  /** process.resourcesPath of a packaged app. */
  resourcesPath?: string | undefined;
  exists(file: string): boolean;
}

/** undefined: better-sqlite3's own lookup (the Node build in node_modules). */
export type BindingChoice = { nativeBinding: string } | { nativeBinding: undefined };

/** The folder name of one Electron build: which Electron (hence which ABI) and what it runs on. */
export function electronBuildName(electronVersion: string, platform: string, arch: string): string {
  return `electron-${electronVersion}-${platform}-${arch}`;
}

export class MissingElectronBuildError extends Error {
  constructor(
    readonly electron: string,
    readonly looked: string,
    packaged: boolean,
  ) {
    super(
      packaged
        ? `This installation has no SQLite engine built for its Electron ${electron} (looked for ${looked}). Reinstall the app; if that does not help, the package was built without "npm run native:electron".`
        : `better-sqlite3 has no build for Electron ${electron} yet (looked for ${looked}). Run "npm run native:electron" (needs internet once): it fetches or compiles one into native/electron/ and leaves the Node build the tests use alone. "npm start" runs it for you.`,
    );
    this.name = 'MissingElectronBuildError';
  }
}

export function chooseSqliteBinding(facts: BindingFacts): BindingChoice {
  const electron = facts.versions.electron;
  // Plain Node (web host, tests, benchmarks): the build npm install made.
  if (!electron) return { nativeBinding: undefined };
  const name = electronBuildName(electron, facts.platform, facts.arch);
  const base = facts.packaged ? join(requiredResources(facts), PACKAGED_ELECTRON_DIR) : join(facts.appRoot, DEV_ELECTRON_DIR);
  const file = join(base, name, ADDON_FILE);
  // Never fall back to node_modules' build under Electron: it has Node's ABI and would
  // fail later with a cryptic NODE_MODULE_VERSION message.
  if (!facts.exists(file)) throw new MissingElectronBuildError(electron, file, facts.packaged);
  return { nativeBinding: file };
}

function requiredResources(facts: BindingFacts): string {
  if (!facts.resourcesPath) throw new Error('A packaged Electron app must give process.resourcesPath to find its SQLite engine.');
  return facts.resourcesPath;
}
