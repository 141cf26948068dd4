/**
 * Which adapter the terminal uses, built from the backend id chosen in
 * settings. This is the only place that maps a backend's name to code;
 * everything else acts on the adapter's declared capabilities.
 *
 * Until the settings screen stores live credentials, every backend is reached
 * through the sandbox (training mode) at `sandboxUrl`.
 */
import type { BackendId } from '../../shared/domain.js';
import type { PointsRate } from '../../shared/money.js';
import { PosError } from '../../shared/errors.js';
import { capillarySandboxConfig } from '../../sandbox/capillary/demo.js';
import { cardLinkedSandboxConfig } from '../../sandbox/cardlinked/demo.js';
import { whiteLabelSandboxConfig } from '../../sandbox/demo-data.js';
import { gafapaySandboxConfig } from '../../sandbox/gafapay/demo.js';
import { uitpasSandboxConfig } from '../../sandbox/uitpas/demo-data.js';
import { createUitpasAdapter } from './uitpas.js';
import { createCapillaryAdapter } from './capillary.js';
import { createCardLinkedAdapter } from './card-linked.js';
import { createGafapayAdapter } from './gafapay.js';
import type { LoyaltyAdapter } from './types.js';
import { createWhiteLabelAdapter } from './whitelabel.js';

export interface AdapterOptions {
  timeoutMs?: number;
  /** The redemption rate a manager set at the terminal, for programs where the terminal owns it. */
  rate?: PointsRate;
}

type Factory = (sandboxUrl: string, opts: AdapterOptions) => LoyaltyAdapter;

const SANDBOX_FACTORIES: Partial<Record<BackendId, Factory>> = {
  whitelabel: (url, opts) => createWhiteLabelAdapter({ ...whiteLabelSandboxConfig(url), ...withTimeout(opts), ...(opts.rate ? { rate: opts.rate } : {}) }),
  capillary: (url, opts) => createCapillaryAdapter({ ...capillarySandboxConfig(url), ...withTimeout(opts) }),
  gafapay: (url, opts) => createGafapayAdapter({ ...gafapaySandboxConfig(url), ...withTimeout(opts) }),
  uitpas: (url, opts) => createUitpasAdapter({ ...uitpasSandboxConfig(url), ...withTimeout(opts) }),
  cardlinked: (url, opts) => createCardLinkedAdapter({ ...cardLinkedSandboxConfig(url), ...withTimeout(opts) }),
};

export const AVAILABLE_BACKENDS = Object.keys(SANDBOX_FACTORIES) as BackendId[];

export function createAdapter(backend: string, sandboxUrl: string, opts: AdapterOptions = {}): LoyaltyAdapter {
  const factory = SANDBOX_FACTORIES[backend as BackendId];
  if (!factory) throw new PosError('NOT_SUPPORTED', `Unknown loyalty backend "${backend}".`);
  return factory(sandboxUrl, opts);
}

function withTimeout(opts: AdapterOptions): { timeoutMs?: number } {
  return opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
}
