/**
 * Encryption of the backend's credentials at rest, behind one small interface
 * so the settings code runs the same in Electron, behind the web host and in
 * tests.
 *
 * - `safeStorageBox(safeStorage)`: Electron's safeStorage (Keychain on macOS,
 *   DPAPI on Windows, the Secret Service / KWallet on Linux). The shell passes
 *   `electron.safeStorage` in; this file does not import electron. On Linux
 *   without a keyring Electron falls back to a hard-coded key ('basic_text'):
 *   that is encryption with a key everyone has, so it counts as unavailable
 *   (`chooseSecretBox` then uses the key file and says so).
 * - `FileKeySecretBox`: the fallback for the web host and tests. AES-256-GCM
 *   with a random key kept in a file (mode 0600) beside the database.
 *   IT IS NOT OS-PROTECTED: anyone who can read the data directory can read
 *   the key and decrypt the credentials. It only keeps them out of the
 *   database file itself (a copied or exported database does not carry them).
 *
 * Sealed values carry a tag ('os:' / 'fk:'), so a value sealed by one box is
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
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `fk:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('fk:')) throw new SecretBoxError('These credentials were stored by the desktop app (OS encryption): enter them again here.');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('The stored credentials cannot be decrypted (the key changed or they were altered): enter them again.');
    }
  }
}

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The Electron shell's choice: the OS key store when safeStorage really has
 * one; otherwise (no encryption, or Linux's hard-coded 'basic_text') the 0600
 * key file, whose description in Settings says why it is not OS-protected.
 */
export function chooseSecretBox(safeStorage: SafeStorageLike, keyFile: string): SecretBox {
  try {
    return safeStorageBox(safeStorage);
  } catch (e) {
    if (!(e instanceof SecretBoxError)) throw e;
    const box = new FileKeySecretBox(keyFile);
    return {
      protection: box.protection,
      description: `${e.message} Credentials are encrypted with a key file in the data directory (readable only by this user), which is NOT OS-protected: anyone who can read the data directory can decrypt them.`,
      seal: (plain) => box.seal(plain),
      open: (sealed) => box.open(sealed),
    };
  }
}
