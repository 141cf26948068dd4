/**
 * Encryption of the backend's credentials at rest, behind one small interface
 * so the settings code runs the same in Electron, behind the web host and in
 * tests.
 *
 * - `OsKeySecretBox`: the desktop app. Electron's safeStorage (Keychain on
 *   macOS, DPAPI on Windows, the Secret Service / KWallet on Linux) seals a
 *   random data key (`osDataKey`, run in the main process, which passes
 *   `electron.safeStorage` in; this file does not import electron); the
 *   terminal service's process seals with that key. On Linux without a
 *   keyring Electron falls back to a hard-coded key ('basic_text'): that is
 *   encryption with a key everyone has, so it counts as unavailable (the key
 *   file then, `fileKeyBoxBecause` says why in Settings).
 * - `safeStorageBox(safeStorage)`: safeStorage itself, per value ('os:'),
 *   where it can be called directly (it wraps the data key above).
 * - `FileKeySecretBox`: the fallback for the web host and tests. AES-256-GCM
 *   with a random key kept in a file (mode 0600) beside the database.
 *   IT IS NOT OS-PROTECTED: anyone who can read the data directory can read
 *   the key and decrypt the credentials. It only keeps them out of the
 *   database file itself (a copied or exported database does not carry them).
 *
 * Sealed values carry a tag ('ok:' / 'fk:' / 'os:'), so a value sealed by one box is
 * refused clearly by the other (the manager enters the credentials again).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SecretBox {
  readonly protection: 'os' | 'file-key';
  /** Plain words for the settings screen: how the credentials are protected here. */
  readonly description: string;
  seal(plain: string): string;
  /** Throws when the value was sealed by another box or was tampered with. */
  open(sealed: string): string;
}

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export class SecretBoxError extends Error {}

/** safeStorage's Linux fallback when no keyring answers: a password built into Chromium. */
const HARD_CODED_BACKENDS = new Set(['basic_text']);

export function safeStorageBox(safeStorage: SafeStorageLike): SecretBox {
  if (!safeStorage.isEncryptionAvailable()) throw new SecretBoxError('OS encryption (safeStorage) is not available on this machine.');
  const backend = safeStorage.getSelectedStorageBackend?.();
  if (backend && HARD_CODED_BACKENDS.has(backend)) {
    throw new SecretBoxError('This Linux desktop has no keyring: safeStorage would encrypt with a built-in password (basic_text), which protects nothing.');
  }
  return {
    protection: 'os',
    description: `Encrypted by the operating system (Electron safeStorage${backend ? `, ${backend}` : ''}).`,
    seal: (plain) => `os:${safeStorage.encryptString(plain).toString('base64')}`,
    open: (sealed) => {
      if (!sealed.startsWith('os:')) throw new SecretBoxError('These credentials were stored by another host (not the desktop app): enter them again.');
      return safeStorage.decryptString(Buffer.from(sealed.slice(3), 'base64'));
    },
  };
}

export class FileKeySecretBox implements SecretBox {
  readonly protection = 'file-key' as const;
  readonly description =
    'Encrypted with a key file in the data directory. This is NOT OS-protected: anyone who can read the data directory can decrypt the credentials.';
  private readonly key: Buffer;

  constructor(keyFile: string) {
    if (existsSync(keyFile)) {
      this.key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
      if (this.key.length !== 32) throw new SecretBoxError(`The key file ${keyFile} is damaged.`);
    } else {
      mkdirSync(dirname(keyFile), { recursive: true });
      this.key = randomBytes(32);
      writeFileSync(keyFile, this.key.toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    try {
      chmodSync(keyFile, 0o600);
    } catch {
      /* not all file systems keep modes */
    }
  }

  seal(plain: string): string {
    return aesSeal(this.key, 'fk', plain);
  }

  open(sealed: string): string {
    return aesOpen(this.key, 'fk', sealed, 'These credentials were stored by the desktop app (OS encryption): enter them again here.');
  }
}

/** AES-256-GCM under `key`, tagged `tag:` so another box's value is refused clearly. */
function aesSeal(key: Buffer, tag: string, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${tag}:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
}

function aesOpen(key: Buffer, tag: string, sealed: string, otherBox: string): string {
  if (!sealed.startsWith(`${tag}:`)) throw new SecretBoxError(otherBox);
  const raw = Buffer.from(sealed.slice(tag.length + 1), 'base64');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('The stored credentials cannot be decrypted (the key changed or they were altered): enter them again.');
  }
}

export const SECRET_KEY_FILE = 'secret.key';

/** The desktop app's data key, sealed by the OS (safeStorage), beside the database. */
export const OS_KEY_FILE = 'secret.os-key';

/**
 * The desktop app's box in the terminal service's process. safeStorage only
 * exists in Electron's main process, and the service seals and opens
 * synchronously, so the main process unwraps a random data key with
 * safeStorage (osDataKey) and hands it to the service in memory; on disk the
 * key only exists sealed by the OS. Values carry the tag 'ok:'.
 */
export class OsKeySecretBox implements SecretBox {
  readonly protection = 'os' as const;
  constructor(
    private readonly key: Buffer,
    readonly description: string,
  ) {
    if (key.length !== 32) throw new SecretBoxError('The OS-protected data key is damaged.');
  }
  seal(plain: string): string {
    return aesSeal(this.key, 'ok', plain);
  }
  open(sealed: string): string {
    return aesOpen(
      this.key,
      'ok',
      sealed,
      sealed.startsWith('os:')
        ? 'These credentials were stored by an earlier version of the desktop app: enter them again.'
        : 'These credentials were stored by another host (not the desktop app): enter them again.',
    );
  }
}

/**
 * Electron's main process: the data key for OsKeySecretBox, read from
 * OS_KEY_FILE (created on first use), or why the OS cannot protect one
 * (then the service uses the key file, and Settings says why).
 */
export function osDataKey(safeStorage: SafeStorageLike, file: string): { key: Buffer; description: string } | { unavailable: string } {
  let box: SecretBox;
  try {
    box = safeStorageBox(safeStorage);
  } catch (e) {
    if (e instanceof SecretBoxError) return { unavailable: e.message };
    throw e;
  }
  if (existsSync(file)) {
    const key = Buffer.from(box.open(readFileSync(file, 'utf8').trim()), 'base64');
    return { key, description: box.description };
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, box.seal(key.toString('base64')), { mode: 0o600, flag: 'wx' });
  return { key, description: box.description };
}

/** The file-key box with the reason the OS could not protect the credentials (the desktop app's fallback). */
export function fileKeyBoxBecause(reason: string, keyFile: string): SecretBox {
  const box = new FileKeySecretBox(keyFile);
  return {
    protection: box.protection,
    description: `${reason} Credentials are encrypted with a key file in the data directory (readable only by this user), which is NOT OS-protected: anyone who can read the data directory can decrypt them.`,
    seal: (plain) => box.seal(plain),
    open: (sealed) => box.open(sealed),
  };
}
