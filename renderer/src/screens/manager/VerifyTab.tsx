import { useMutation } from '@tanstack/react-query';
import { useTranslation } from '../../i18n/react';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { ShippingPanel } from './ShippingPanel';
import { verifyText } from './verify-text';

/** "Verify the log": the chain is intact, or exactly which entry changed / from where entries are missing. */
export function VerifyTab() {
  const { api, setVerifyFinding, goToEntry } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  // Run on demand (it reads the whole log): a mutation, not a query that would run by itself.
  const verify = useMutation({
    mutationFn: () => api.verifyLog({}),
    onSuccess: (r) => setVerifyFinding(!r.intact && r.firstBadSeq ? { firstBadSeq: r.firstBadSeq, problem: r.problem ?? 'changed' } : null),
  });
  const report = verify.data ?? null;
  const busy = verify.isPending;
  const error = verify.error ? asErrorInfo(verify.error) : null;
  const run = () => verify.mutate();

  const words = report ? verifyText(report) : null;
  return (
    <div className="desk-panel">
      <h1>{t('desk.verify')}</h1>
      <p className="hint">{t('verify.help')}</p>
      <div className="button-row">
        <button type="button" className="btn btn-primary" disabled={busy} data-testid={MTID.verifyRun} onClick={run}>
          {busy ? t('verify.running') : t('verify.run')}
        </button>
      </div>
      {busy && (
        <p className="loading-line" role="status">
          <span className="spinner" aria-hidden="true" /> {t('verify.running')}
        </p>
      )}
      {error && <LocalizedError error={error} />}
      {report && words && (
        <div
          className={`verify-result ${report.intact ? 'verify-ok' : 'verify-bad'}`}
          role="status"
          data-testid={MTID.verifyResult}
          data-intact={String(report.intact)}
          data-problem={report.problem ?? ''}
          data-first-bad-seq={report.firstBadSeq ?? ''}
          data-entries={report.entries}
        >
          <p className="verify-title">
            <span aria-hidden="true">{report.intact ? '✔' : '✖'}</span>{' '}
            {t(words.key, {
              ...words.params,
              ...(typeof words.params.count === 'number' ? { count: fmt.count(words.params.count) } : {}),
            })}
          </p>
          {!report.intact && (
            <div className="verify-advice" data-testid={MTID.verifyAdvice}>
              <p>
                <strong>{t('manager.verify.whatToDo')}</strong>
              </p>
              <ul>
                <li>{t('manager.verify.keep')}</li>
                <li>{t('manager.verify.support')}</li>
                <li>{t('manager.verify.figures')}</li>
              </ul>
              {report.firstBadSeq && (
                <button type="button" className="btn" data-testid={MTID.verifyOpenEntry} onClick={() => goToEntry(report.firstBadSeq!)}>
                  {t('manager.verify.openEntry', { seq: report.firstBadSeq })}
                </button>
              )}
            </div>
          )}
          <p className="hint">
            {t('verify.checked', {
              time: fmt.time(report.checkedAt),
              ms: fmt.count(Math.round(report.durationMs)),
            })}
            {report.head && (
              <>
                {' '}
                ·{' '}
                {t('verify.head', {
                  seq: report.head.seq,
                  hash: report.head.hash.slice(0, 16),
                })}
              </>
            )}
          </p>
        </div>
      )}
      {/* Shipping to the chain (issue 16): its own component, beside the log's own check. */}
      <ShippingPanel />
    </div>
  );
}
