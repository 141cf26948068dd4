import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { MethodInput } from '../../../../shared/contract';
import type { ExportTicket } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { downloadUrl } from './export-url';

export type ExportRequest = Omit<MethodInput<'requestExport'>, 'approval'>;

/**
 * Asks the service for a one-time export ticket, then offers the download:
 * the web host streams GET /api/export/<file>.csv?ticket=… from this page's
 * origin with the one-time ticket alone (no session token in a link). The ticket answer carries no saved-file path,
 * so Electron uses the same link.
 */
export function useExport() {
  const { api, asManager } = useDesk();
  const [ticket, setTicket] = useState<(ExportTicket & { url: string }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const request = async (input: ExportRequest) => {
    setBusy(true);
    setError(null);
    setTicket(null);
    try {
      const t = await asManager((approval) => api.requestExport({ ...input, ...(approval ? { approval } : {}) }), { reason: 'none' });
      if (t) setTicket({ ...t, url: downloadUrl(window.location.origin, t) });
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };
  return { request, ticket, busy, error, clear: () => setTicket(null) };
}

export function ExportResult({ ticket, error, onUsed }: { ticket: (ExportTicket & { url: string }) | null; error: ErrorInfo | null; onUsed?: () => void }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  if (error) return <LocalizedError error={error} testId={MTID.exportProblem} />;
  if (!ticket) return null;
  return (
    <div className="message message-good export-ready" role="status">
      <p className="message-text">{t('exportCsv.ready', { filename: ticket.filename })}</p>
      <a
        className="btn btn-primary"
        href={ticket.url}
        download={ticket.filename}
        data-testid={MTID.exportLink}
        data-filename={ticket.filename}
        onClick={() => setTimeout(() => onUsed?.(), 500)}
      >
        {t('exportCsv.download')}
      </a>
      <p className="hint">{t('exportCsv.expires', { time: fmt.time(ticket.expiresAt) })}</p>
    </div>
  );
}
