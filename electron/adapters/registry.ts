/**
 * Which adapter the terminal uses: the one place that maps a program's id to
 * its adapter (its descriptor is in shared/programs/, its emulator's connection
 * values in sandbox/training.ts, the crash harness's ledger tie-up in
 * bench/crash-programs.ts). Every adapter is built from its program's connection values
 * (shared/programs/): in live mode the ones the manager entered or the
 * config file gave, in training the ones the emulator publishes (see
 * sandbox/training.ts). Everything else acts on the adapter's declared
 * capabilities.
 *
 * This module imports no emulator: live mode never loads sandbox code.
 */
import { PosError } from '../../shared/errors.js';
import { isProgramId, type ConnectionValues, type ProgramId } from '../../shared/programs/index.js';
import { capillaryFromConnection } from './capillary.js';
import { cardLinkedFromConnection } from './card-linked.js';
import type { AdapterOptions } from './connection.js';
import { gafapayFromConnection } from './gafapay.js';
import type { LoyaltyAdapter } from './types.js';
import { uitpasFromConnection } from './uitpas.js';
import { whiteLabelFromConnection } from './whitelabel.js';

export type { AdapterOptions } from './connection.js';

type Factory = (values: ConnectionValues, opts: AdapterOptions) => LoyaltyAdapter;

/** One adapter per program descriptor; the Record type makes a missing one a compile error. */
export const ADAPTERS: Readonly<Record<ProgramId, Factory>> = {
  whitelabel: whiteLabelFromConnection,
  uitpas: uitpasFromConnection,
  capillary: capillaryFromConnection,
  gafapay: gafapayFromConnection,
  cardlinked: cardLinkedFromConnection,
};

/**
 * How long after the request timeout a program might still apply a write it
 * received (a slow server finishing after the client gave up). No program's
 * document says: these are conservative guesses, overridable per terminal
 * (RuntimeOptions.tuning.inDoubtMarginMs). An attempt whose answer is lost is
 * not looked up, let alone resent, before sent-at + timeout + this margin.
 */
export const IN_DOUBT_MARGIN_MS: Readonly<Record<ProgramId, number>> = {
  whitelabel: 20_000,
  uitpas: 20_000,
  capillary: 30_000,
  gafapay: 30_000,
  cardlinked: 20_000,
};

/** The request timeout every adapter uses unless told otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export function createAdapter(program: string, values: ConnectionValues, opts: AdapterOptions = {}): LoyaltyAdapter {
  if (!isProgramId(program)) throw new PosError('NOT_SUPPORTED', `Unknown loyalty program "${program}".`);
  return ADAPTERS[program](values, opts);
}
