/**
 * Settings that cannot work together, refused with the reason (the field and
 * the figures) instead of being stored and failing at the counter later.
 */
import { PosError } from '../../shared/errors.js';
import { formatPoints } from '../../shared/money.js';
import { isProgramId, programOf } from '../../shared/programs/index.js';
import type { OfflineLimits } from './offline-policy.js';

/** The longest terminal or store name (the contract's limit, said rather than cut). */
export const MAX_NAME_LENGTH = 60;

export function checkName(field: 'terminalName' | 'storeName', value: string): void {
  if (value.trim().length === 0) throw new PosError('INVALID_INPUT', 'The name cannot be blank.', { details: { field, reason: 'blank' } });
  if (value.trim().length > MAX_NAME_LENGTH) {
    throw new PosError('INVALID_INPUT', `The name is ${value.trim().length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`, {
      details: { field, reason: 'tooLong', max: MAX_NAME_LENGTH, length: value.trim().length },
    });
  }
}

/** The offline limits together, for the program's points precision (whole points: no 12.5). */
export function checkOfflineLimits(limits: OfflineLimits, program: string): void {
  const decimals = isProgramId(program) ? programOf(program).capabilities.pointsDecimals : 3;
  const step = 10 ** (3 - decimals);
  for (const field of ['maxPointsPerRedemptionMilli', 'maxPointsPerMemberMilli', 'maxOutstandingMilli'] as const) {
    if (limits[field] % step !== 0) {
      throw new PosError(
        'INVALID_INPUT',
        `${formatPoints(limits[field], 3)} points cannot be taken: this program counts in ${decimals === 0 ? 'whole points' : `points with at most ${decimals} decimals`}.`,
        {
          details: { field, reason: 'precision', decimals },
        },
      );
    }
  }
  if (limits.maxPointsPerRedemptionMilli > limits.maxPointsPerMemberMilli) {
    throw new PosError(
      'INVALID_INPUT',
      `One redemption may take at most ${formatPoints(limits.maxPointsPerRedemptionMilli, 3)} points, more than the ${formatPoints(limits.maxPointsPerMemberMilli, 3)} one member may have queued: lower the first or raise the second.`,
      { details: { field: 'maxPointsPerRedemptionMilli', reason: 'aboveMember' } },
    );
  }
  if (limits.maxPointsPerMemberMilli > limits.maxOutstandingMilli) {
    throw new PosError(
      'INVALID_INPUT',
      `One member may have more queued (${formatPoints(limits.maxPointsPerMemberMilli, 3)} points) than the whole terminal (${formatPoints(limits.maxOutstandingMilli, 3)}).`,
      {
        details: { field: 'maxPointsPerMemberMilli', reason: 'aboveOutstanding' },
      },
    );
  }
  if (limits.maxBalanceAgeMinutes < 1) {
    throw new PosError(
      'INVALID_INPUT',
      'A balance age of 0 minutes would refuse every offline redemption: allow at least 1 minute (or lower the per-redemption limit to 0 to refuse them on purpose).',
      {
        details: { field: 'maxBalanceAgeMinutes', reason: 'zero' },
      },
    );
  }
}
