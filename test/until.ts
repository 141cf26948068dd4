/**
 * Waits for a condition (vi.waitUntil with a timeout fit for a loaded CI
 * machine): the one polling helper of the integration tests. The timeout is
 * a ceiling for a hung test, never a figure the test checks.
 */
import { vi } from 'vitest';

export function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  return vi.waitUntil(async () => (await cond()) === true, { timeout: timeoutMs, interval: 20 }).then(() => undefined);
}
