/** Benchmark members: deterministic card numbers, shared by the sandbox process and the benchmarks. */
import { withLuhnDigit } from '../shared/member-number.js';

/** The i-th benchmark member's card number (13 digits, valid check digit, never a demo member). */
export function benchCard(i: number): string {
  return withLuhnDigit('28' + String(i).padStart(10, '0'));
}
