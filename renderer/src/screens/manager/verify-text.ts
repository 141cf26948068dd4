/** A verification report in words: which catalogue key, with which figures. */
import type { VerifyReport } from '../../../../shared/contract/manager';

export interface VerifyText {
  key: 'verify.intact' | 'verify.changed' | 'verify.missing' | 'verify.reordered' | 'verify.truncated' | 'verify.anchorMismatch';
  params: Record<string, string | number>;
}

export function verifyText(r: Pick<VerifyReport, 'intact' | 'entries' | 'problem' | 'firstBadSeq'>): VerifyText {
  if (r.intact) return { key: 'verify.intact', params: { count: r.entries } };
  const seq = r.firstBadSeq ?? '?';
  switch (r.problem) {
    case 'missing':
      return { key: 'verify.missing', params: { seq } };
    case 'reordered':
      return { key: 'verify.reordered', params: { seq } };
    case 'truncated':
      return { key: 'verify.truncated', params: { seq } };
    case 'anchor-mismatch':
      return { key: 'verify.anchorMismatch', params: { seq } };
    case 'changed':
    default:
      return { key: 'verify.changed', params: { seq } };
  }
}
