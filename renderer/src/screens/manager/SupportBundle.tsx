import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { ExportTicket } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { useDesk } from './desk-context';
import { downloadUrl } from './export-url';

export const SUPPORT_TID = { make: 'support-bundle-make', link: 'support-bundle-link' } as const;

/**
 * "Support bundle": one zip for the support desk (logs, versions, settings
 * without secrets, the log's verification, the queue), downloaded once through
 * the same ticketed link as a CSV export.
 */
export function SupportBundle() {
  const { api, asManager } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [ticket, setTicket] = useState<(ExportTicket & { url: string }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const make = async () => {
    setBusy(true);
    setError(null);
    setTicket(null);
    try {
      const got = await asManager((approval) => api.requestSupportBundle(approval ? { approval } : {}), { reason: 'none' });
      if (got) setTicket({ ...got, url: downloadUrl(window.location.origin, got) });
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="support-bundle" aria-labelledby="support-bundle-title">
      <h2 id="support-bundle-title">{t('supportBundle.title')}</h2>
      <p className="hint">{t('supportBundle.help')}</p>
      <div className="button-row">
        <button type="button" className="btn" disabled={busy} data-testid={SUPPORT_TID.make} onClick={() => void make()}>
          {busy ? t('supportBundle.making') : t('supportBundle.make')}
        </button>
      </div>
      {error && <LocalizedError error={error} />}
      {ticket && (
        <div className="message message-good" role="status">
          <a
            className="btn btn-primary"
            href={ticket.url}
            download={ticket.filename}
            data-testid={SUPPORT_TID.link}
            onClick={() => setTimeout(() => setTicket(null), 500)}
          >
            {t('exportCsv.download')} {ticket.filename}
          </a>
          <p className="hint">{t('exportCsv.expires', { time: fmt.time(ticket.expiresAt) })}</p>
        </div>
      )}
    </section>
  );
}
