/**
 * The connection's `extraCa`: the certificate authority of a store's
 * TLS-inspecting firewall (or a program's private CA), as PEM. Not a secret,
 * but checked before it is stored or used: every block must be a certificate
 * X.509 can read, and a private key is refused outright (it has no place
 * here and must not end up in the database).
 *
 * shared/programs/check.ts already refused what is not PEM certificate
 * blocks; this reads each one, which only Node can.
 */
import { X509Certificate } from 'node:crypto';
import { PosError } from '../../shared/errors.js';

export const EXTRA_CA_FIELD = 'extraCa';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The certificates in `pem`, one PEM block each; a clear field error otherwise. */
export function parseExtraCa(pem: string): string[] {
  const problem = (message: string) => new PosError('INVALID_INPUT', `${EXTRA_CA_FIELD} ${message}`, { details: { field: EXTRA_CA_FIELD } });
  const blocks = [...pem.matchAll(BLOCK)];
  if (blocks.length === 0) throw problem('holds no PEM certificate (expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)');
  const out: string[] = [];
  for (const [i, m] of blocks.entries()) {
    if (m[1] !== 'CERTIFICATE')
      throw problem(`block ${i + 1} is a ${m[1]!.toLowerCase()}, not a certificate${/PRIVATE KEY/.test(m[1]!) ? ': never paste a private key here' : ''}`);
    try {
      new X509Certificate(m[0]);
    } catch (e) {
      throw problem(`certificate ${i + 1} cannot be read (${(e as Error).message})`);
    }
    out.push(m[0]);
  }
  return out;
}

/** The same check as a problem list (null when fine), for the config file and the go-live form. */
export function extraCaProblem(pem: string | undefined): string | null {
  if (pem === undefined || pem.trim() === '') return null;
  try {
    parseExtraCa(pem);
    return null;
  } catch (e) {
    return (e as Error).message.slice(EXTRA_CA_FIELD.length + 1);
  }
}
