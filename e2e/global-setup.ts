/**
 * Once per Playwright run: bundles the web host (test/web-host-bundle.ts) so each test's
 * terminal starts in about 1 s of CPU instead of tsx's 3 (some 50 terminals a run on two
 * cores). The workers find it through the environment; the teardown removes it.
 */
import { bundleWebHost, WEB_HOST_BUNDLE_ENV } from '../test/web-host-bundle.js';

export default async function globalSetup(): Promise<() => void> {
  const bundle = await bundleWebHost(`e2e-${process.pid}`);
  process.env[WEB_HOST_BUNDLE_ENV] = bundle.file;
  return () => bundle.remove();
}
