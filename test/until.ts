/**
 * Waits for a condition (vi.waitUntil with a timeout fit for a loaded CI
 * machine): the one polling helper of the integration tests. The timeout is
 * a ceiling for a hung test, never a figure the test checks.
 */
import { vi } from 'vitest';

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what?: string): Promise<void> {
  try {
    await vi.waitUntil(async () => (await cond()) === true, { timeout: timeoutMs, interval: 20 });
  } catch (e) {
    // Name what was awaited, so a hang says which step it was.
    if (what !== undefined) throw new Error(`${what}: not met in ${timeoutMs} ms`, { cause: e });
    throw e;
  }
}
