/**
 * Dates on the rewards desk's form: the manager picks days (an <input
 * type="date">, the terminal's local calendar); UiTPAS wants instants. A
 * period runs from the first second of its first day to the last second of
 * its last day, local time.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/** The local day (YYYY-MM-DD) an instant falls on. */
export function dayOf(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function localInstant(day: string, h: number, m: number, s: number): string {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, mo - 1, d, h, m, s).toISOString().replace('.000Z', 'Z');
}

/** The first second of a local day, as an instant ('' stays '' so that the service names the empty field). */
export const dayStart = (day: string): string => (day ? localInstant(day, 0, 0, 0) : '');
/** The last second of a local day. */
export const dayEnd = (day: string): string => (day ? localInstant(day, 23, 59, 59) : '');
