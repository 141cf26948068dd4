/**
 * English catalogue: the reference. nl.ts and fr.ts must have exactly the
 * same keys (the compiler checks it through `Catalogue`). Interpolation uses
 * {{name}} placeholders (translate.ts). Error texts are keyed by ErrorCode, so the screen
 * shows a refusal in the terminal's language from its code alone.
 */
import { enCounter } from './en-counter.js';
import { enDesk } from './en-desk.js';

export { enCounter, enDesk };
export const en = { ...enCounter, ...enDesk };

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
/** The shape every language must have. */
export type Catalogue = Widen<typeof en>;
