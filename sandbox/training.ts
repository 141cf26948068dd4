/**
 * Training mode's entry into the emulators: the one module the runtime loads
 * (dynamically, and only in training) to start the embedded sandbox and learn
 * each emulated program's connection values. Those values then go through
 * the same adapter factory as a live connection (electron/adapters/registry.ts).
 */
import type { MemberIdentifier } from '../shared/member-number.js';
import type { ConnectionValues, ProgramId } from '../shared/programs/index.js';
import { CAPILLARY_DEMO_CUSTOMERS } from './capillary/demo.js';
import { DEMO_MEMBERS } from './demo-data.js';
import { GAFAPAY_DEMO_USERS, gafapayAppCode } from './gafapay/demo.js';
import { UITPAS_DEMO_PASSHOLDERS } from './uitpas/demo-data.js';
import { capillaryTrainingConnection } from './capillary/demo.js';
import { cardLinkedTrainingConnection } from './cardlinked/demo.js';
import { whiteLabelTrainingConnection } from './demo-data.js';
import { gafapayTrainingConnection } from './gafapay/demo.js';
import { uitpasTrainingConnection } from './uitpas/demo-data.js';

export { startSandbox, type RunningSandbox } from './server.js';

/** Each program's emulator, as connection values for a sandbox at `sandboxUrl`; the Record type makes a missing one a compile error. */
export const TRAINING_CONNECTIONS: Readonly<Record<ProgramId, (sandboxUrl: string) => ConnectionValues>> = {
  whitelabel: whiteLabelTrainingConnection,
  uitpas: uitpasTrainingConnection,
  capillary: capillaryTrainingConnection,
  gafapay: gafapayTrainingConnection,
  cardlinked: cardLinkedTrainingConnection,
};

/** One demo member per emulator the counter can look up (null: the program has no member lookup at the counter). */
export const TRAINING_SAMPLE_MEMBERS: Readonly<Record<ProgramId, MemberIdentifier | null>> = {
  whitelabel: { kind: 'memberId', value: DEMO_MEMBERS.anna.userId },
  uitpas: { kind: 'uitpas', value: UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber },
  capillary: { kind: 'mobile', value: CAPILLARY_DEMO_CUSTOMERS.priya.mobile },
  gafapay: { kind: 'appCode', value: gafapayAppCode(GAFAPAY_DEMO_USERS.aisha) },
  cardlinked: null,
};
