/** The log screen's filter form, and the contract's LogFilter it becomes. */
import type { LogFilter } from '../../../../shared/contract/manager';
import { dayRange } from './dates';

export interface LogFilterForm {
  fromDay: string;
  toDay: string;
  actor: string;
  kind: string;
  outcome: string;
  memberLast4: string;
  text: string;
}

export const EMPTY_FILTER_FORM: LogFilterForm = { fromDay: '', toDay: '', actor: '', kind: '', outcome: '', memberLast4: '', text: '' };

export type FilterProblem = 'memberLast4Bad' | 'rangeBad';

/**
 * The filter for queryLog, or the first problem in the form. A start day alone
 * means "from that day on", an end day alone "up to and including that day".
 */
export function toLogFilter(form: LogFilterForm): { filter: LogFilter } | { problem: FilterProblem } {
  const filter: LogFilter = {};
  const from = form.fromDay.trim();
  const to = form.toDay.trim();
  if (from || to) {
    const range = dayRange(from || to, to || from);
    if (!range) return { problem: 'rangeBad' };
    if (from) filter.from = range.from;
    if (to) filter.to = range.to;
  }
  if (form.actor) filter.actor = form.actor;
  if (form.kind) filter.kind = form.kind;
  if (form.outcome) filter.outcome = form.outcome;
  const last4 = form.memberLast4.replace(/\s/g, '');
  if (last4) {
    if (!/^[0-9A-Za-z]{4}$/.test(last4)) return { problem: 'memberLast4Bad' };
    filter.memberLast4 = last4;
  }
  const text = form.text.trim().slice(0, 100);
  if (text) filter.text = text;
  return { filter };
}

/** The same filter without its dates (the export takes its range separately). */
export function withoutRange(filter: LogFilter): Omit<LogFilter, 'from' | 'to'> {
  const { from: _from, to: _to, ...rest } = filter;
  void _from;
  void _to;
  return rest;
}

export function filterIsEmpty(filter: LogFilter): boolean {
  return Object.keys(filter).length === 0;
}
