/**
 * Pentadata demo data for training mode and tests: the sandbox's credentials
 * as connection values, and the test card numbers. Nothing here is secret:
 * these values only open the local sandbox.
 */
import { PENTADATA_SANDBOX } from './backend.js';

/** Test card numbers (as Pentadata's sandbox documents them: Visa 4444 0000 0000 4xxx, Mastercard 5555 0000 0000 5xxx, any last three). */
export const DEMO_TEST_CARDS = {
  visa: '4444000000004001',
  visa2: '4444000000004123',
  mastercard: '5555000000005007',
  /** A real-looking Visa number outside the test range: the sandbox refuses it. */
  notTest: '4111111111111111',
} as const;

/** The card-linked program's connection values (shared/programs/cardlinked.ts) for a sandbox at `sandboxUrl`. */
export function cardLinkedTrainingConnection(sandboxUrl: string): Record<string, string> {
  return {
    baseUrl: `${sandboxUrl}/pentadata`,
    email: PENTADATA_SANDBOX.email,
    apiKey: PENTADATA_SANDBOX.apiKey,
    merchantId: String(PENTADATA_SANDBOX.merchantId),
    alertToken: PENTADATA_SANDBOX.alertToken,
    currency: 'EUR',
  };
}
