/**
 * Days and ranges in the terminal's local time: the log filter's dates, the
 * end of day and the export all turn "a day" into [start, next day's start)
 * as ISO instants, plus the UTC offset the service uses for hours.
 */

/** "2025-03-01" for a Date, in local time. */
export function dayString(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Local midnight of "YYYY-MM-DD", or null when it is not a date. */
export function parseDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getFullYear() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d : null;
}

export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
}

/** Minutes east of UTC at that moment (Brussels in summer: 120). */
export function utcOffsetMinutes(d: Date): number {
  const off = -d.getTimezoneOffset();
  return off === 0 ? 0 : off; // never -0
}

export interface DayRange {
  from: string;
  to: string;
  utcOffsetMinutes: number;
}

/**
 * From the start of `fromDay` to the end of `toDay` (included), as ISO
 * instants; null when a day is not a date or the range runs backwards.
 */
export function dayRange(fromDay: string, toDay: string = fromDay): DayRange | null {
  const a = parseDay(fromDay);
  const b = parseDay(toDay);
  if (!a || !b || b < a) return null;
  return { from: a.toISOString(), to: addDays(b, 1).toISOString(), utcOffsetMinutes: utcOffsetMinutes(a) };
}

export function today(now: Date = new Date()): string {
  return dayString(now);
}
