/**
 * What the terminal knows about one loyalty program, in one place: its id
 * and name, what it can do, the fields a store needs to connect to it (named
 * as in the program's own documentation, secrets marked), the hosts the
 * program publishes, and the pattern that finds a member number in a scan.
 *
 * Plain data, no zod and no Node: the renderer imports it to draw the
 * settings and go-live forms, the service derives the config schema, the
 * adapter registry and the training set-up from it. Adding a program is one
 * descriptor here, one adapter in electron/adapters/, one emulator in
 * sandbox/ (see the README, "Adding a program"; test/programs.test.ts checks).
 */
import type { BackendCapabilities } from '../domain.js';

/** 'pem': one or more PEM certificates (a CA), shown back, never a key. */
export type FieldKind = 'url' | 'text' | 'secret' | 'integer' | 'boolean' | 'json' | 'pem';

export interface ConnectionField {
  /** The key in the config file's `connection` object and in the stored credentials. */
  key: string;
  /** The field's name in the program's documentation (what the manager looks for there). */
  label: string;
  kind: FieldKind;
  /** Without a value the terminal cannot go live (unless `default` gives one). */
  required: boolean;
  /** Used when the field is left empty. */
  default?: string;
  /** One plain sentence: what it is and where the program gives it. */
  help: string;
  /** For 'text' fields with a fixed set of values. */
  choices?: readonly string[];
  /**
   * A secret the program presents to the terminal (an alert token), not one
   * the terminal sends: no connection test can check it, only an incoming call.
   */
  inbound?: boolean;
}

export type ProgramEnvironment = 'test' | 'production';

export interface ProgramDescriptor<Id extends string = string> {
  id: Id;
  name: string;
  capabilities: BackendCapabilities;
  /** Every field the terminal needs to reach the program; `kind: 'secret'` ones are sealed and never shown back. */
  connection: readonly ConnectionField[];
  /**
   * The program's own parameters the terminal must know and the API does not
   * give (a points value, event type names, min/max): not secret, shown back.
   * In a config file they go under `program`.
   */
  programSettings: readonly ConnectionField[];
  /**
   * Fields of which at least one whole group must be filled (e.g. Capillary:
   * till name and password, or OAuth key and secret). Fields named here are
   * not `required` on their own.
   */
  alternatives?: readonly (readonly string[])[];
  /**
   * Published hosts per environment: field key -> URL. The go-live form fills
   * them in; the status bar names the environment a connection points at.
   */
  hosts?: Partial<Record<ProgramEnvironment, Readonly<Record<string, string>>>>;
  /** The field whose URL tells the environment (matched against `hosts`). */
  environmentField: string;
  /**
   * The default pattern (RE2 syntax) that finds the member number in a
   * scanned URL or text; absent: plain numbers only. Taken from
   * scan-patterns.ts (the renderer's first paint reads it without PROGRAMS).
   */
  scanPattern?: string;
  /** Where the program documents its API (for the README and the go-live screen). */
  docs: string;
}

/** Values of a program's connection fields, as typed or as read from a config file (secrets resolved). */
export type ConnectionValues = Readonly<Record<string, string>>;
