/**
 * Connection fields every program has, about the store's network rather
 * than the program: the certificate authority of a TLS-inspecting firewall
 * (or of a program's private deployment). Each descriptor lists them last
 * in its `connection` (test/programs.test.ts checks).
 */
import type { ConnectionField } from './types.js';

export const NETWORK_FIELDS = [
  {
    key: 'extraCa',
    label: 'Extra CA certificate (PEM)',
    kind: 'pem',
    required: false,
    help: "Only if the store's firewall inspects TLS or the program uses a private CA: that CA's certificate, -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, as the store's IT gives it. Not secret. Trusted besides the usual authorities.",
  },
] as const satisfies readonly ConnectionField[];
