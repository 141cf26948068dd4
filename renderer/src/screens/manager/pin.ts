/** PIN entry and the approval form's checks: plain functions (tested without a DOM). */
import type { ManagerApprovalInput } from '../../../../shared/contract/approval';
import type { PersonView } from '../../../../shared/contract/manager';

export type PinKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'back' | 'clear';
export const PIN_MAX = 8;

/** The PIN after a keypad key. Never more than 8 digits. */
export function pressPin(pin: string, key: PinKey): string {
  if (key === 'clear') return '';
  if (key === 'back') return pin.slice(0, -1);
  return pin.length >= PIN_MAX ? pin : pin + key;
}

/** What the keyboard typed into the PIN field: digits only, at most 8. */
export function cleanPin(text: string): string {
  return text.replace(/\D/g, '').slice(0, PIN_MAX);
}

export function pinComplete(pin: string): boolean {
  return /^\d{4,8}$/.test(pin);
}

export type ReasonRule = 'required' | 'optional' | 'none';

export type ApprovalProblem = 'chooseManager' | 'pinFormat' | 'reasonTooShort';

/** Why the approval cannot be sent yet, or null. Same rules as shared/contract/approval.ts. */
export function approvalProblem(form: { managerId: string | null; pin: string; reason: string }, rule: ReasonRule): ApprovalProblem | null {
  if (!form.managerId) return 'chooseManager';
  if (!pinComplete(form.pin)) return 'pinFormat';
  const reason = form.reason.trim();
  if (rule === 'required' && reason.length < 3) return 'reasonTooShort';
  if (rule === 'optional' && reason.length > 0 && reason.length < 3) return 'reasonTooShort';
  return null;
}

/** The approval to send: the reason only when there is one (and never for 'none'). */
export function buildApproval(form: { managerId: string; pin: string; reason: string }, rule: ReasonRule): ManagerApprovalInput {
  const reason = form.reason.trim().slice(0, 200);
  return rule !== 'none' && reason ? { managerId: form.managerId, pin: form.pin, reason } : { managerId: form.managerId, pin: form.pin };
}

/** Is this person locked out right now? */
export function isLocked(p: Pick<PersonView, 'lockedUntil'>, now: number): boolean {
  return p.lockedUntil !== null && Date.parse(p.lockedUntil) > now;
}

/** The managers who can approve: active ones, the preferred (e.g. signed-in) one first. */
export function approvers(people: readonly PersonView[], preferId?: string | null): PersonView[] {
  const managers = people.filter((p) => p.role === 'manager' && p.active);
  return [...managers].sort((a, b) => (a.id === preferId ? -1 : b.id === preferId ? 1 : a.name.localeCompare(b.name)));
}

/** Which manager to preselect: the preferred one if they can approve, or the only one. */
export function defaultApprover(managers: readonly PersonView[], preferId: string | null | undefined, now: number): string | null {
  const usable = managers.filter((m) => !isLocked(m, now));
  if (preferId && usable.some((m) => m.id === preferId)) return preferId;
  return usable.length === 1 ? usable[0]!.id : null;
}

/** A refusal that a manager's approval would get past. */
export function needsManager(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'MANAGER_REQUIRED';
}
