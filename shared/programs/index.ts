/**
 * The programs this terminal can connect to: one descriptor each (see
 * types.ts). Everything that lists programs derives from PROGRAMS: the
 * BackendId type, the contract's enum, the settings and go-live forms, the
 * config file's JSON Schema, the adapter registry and the training set-up.
 */
import { CAPILLARY } from './capillary.js';
import { CARDLINKED } from './cardlinked.js';
import { GAFAPAY } from './gafapay.js';
import type { ConnectionField, ProgramDescriptor, ProgramEnvironment } from './types.js';
import { UITPAS } from './uitpas.js';
import { WHITELABEL } from './whitelabel.js';

export type { ConnectionField, ConnectionValues, ProgramDescriptor, ProgramEnvironment } from './types.js';
export { NETWORK_FIELDS } from './network.js';

/** In the order the settings screen lists them; the first is the training default. */
export const PROGRAMS = [WHITELABEL, UITPAS, CAPILLARY, GAFAPAY, CARDLINKED] as const;

export type ProgramId = (typeof PROGRAMS)[number]['id'];

export const PROGRAM_IDS = PROGRAMS.map((p) => p.id) as unknown as readonly [ProgramId, ...ProgramId[]];

export const DEFAULT_PROGRAM: ProgramId = PROGRAMS[0].id;

export function isProgramId(id: unknown): id is ProgramId {
  return typeof id === 'string' && (PROGRAM_IDS as readonly string[]).includes(id);
}

export function programOf(id: ProgramId): ProgramDescriptor<ProgramId> {
  return PROGRAMS.find((p) => p.id === id)! as ProgramDescriptor<ProgramId>;
}

/** Connection fields then program settings: every field a go-live form shows. */
export function allFields(p: ProgramDescriptor): readonly ConnectionField[] {
  return [...p.connection, ...p.programSettings];
}

export function secretKeys(p: ProgramDescriptor): string[] {
  return allFields(p)
    .filter((f) => f.kind === 'secret')
    .map((f) => f.key);
}

/**
 * Which published environment a connection points at: 'test' or
 * 'production' when its URL field is one of the program's published hosts,
 * else null (a host the program does not publish: a private or regional
 * deployment, or a local emulator).
 */
export function environmentOf(p: ProgramDescriptor, values: Readonly<Record<string, string>>): ProgramEnvironment | null {
  const url = values[p.environmentField];
  if (!url) return null;
  const norm = (u: string) => u.replace(/\/+$/, '').toLowerCase();
  for (const env of ['test', 'production'] as const) {
    const host = p.hosts?.[env]?.[p.environmentField];
    if (host && norm(host) === norm(url)) return env;
  }
  return null;
}
