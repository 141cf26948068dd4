import { useEffect, useRef, useState } from 'react';
import { useTranslation } from '../i18n/react';
import type { PrintResult } from '../../../shared/contract/receipts';
import type { SaleView } from '../../../shared/domain';
import type { ExportTicket } from '../../../shared/contract/manager';
import { asErrorInfo } from '../api/client';
import { useApi } from '../screens/manager/api-context';
import { TID } from '../testids';

/** Sales whose slip this page printed by itself already: a re-render never prints a second one. */
const autoPrinted = new Set<string>();

/**
 * The member's slip for a paid, voided or refunded sale: printed by itself
 * when Settings say so (once), a button to print it (again: the slip then
 * says "copy"), and the slip as a PDF. The printer's answer is shown as the
 * terminal words it; the sale is done whatever the printer says.
 */
export function SlipPrint({ sale, kind, auto = false }: { sale: SaleView; kind: 'sale' | 'void' | 'refund'; auto?: boolean }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PrintResult | null>(null);
  const [pdf, setPdf] = useState<(ExportTicket & { url: string }) | null>(null);
  const language = i18n.language;
  const key = `${sale.id}:${kind}`;

  const print = async () => {
    setBusy(true);
    try {
      setResult(await api.printReceipt({ saleId: sale.id, kind, language }));
    } catch (e) {
      setResult({ printed: false, problem: 'failed', message: asErrorInfo(e).message });
    } finally {
      setBusy(false);
    }
  };
  const printRef = useRef(print);
  printRef.current = print;

  useEffect(() => {
    if (!auto || autoPrinted.has(key)) return;
    let alive = true;
    void api
      .getPreferences({})
      .then((p) => {
        if (!alive || p.printer.kind === 'none' || !p.printer.autoPrint || autoPrinted.has(key)) return;
        autoPrinted.add(key);
        void printRef.current();
      })
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [api, auto, key]);

  const askPdf = async () => {
    try {
      const ticket = await api.requestReceiptPdf({ saleId: sale.id, kind, language });
      // The one-time ticket is the whole credential (export-url.ts); not imported from the desk, whose chunk carries the schemas.
      setPdf({ ...ticket, url: new URL(ticket.path, window.location.origin).toString() });
    } catch (e) {
      setResult({ printed: false, problem: 'failed', message: asErrorInfo(e).message });
    }
  };

  return (
    <div className="slip-print" data-testid={TID.slip} data-kind={kind}>
      {result && (
        <p
          className={`message ${result.printed ? (result.paperLow ? 'message-warning' : 'message-good') : 'message-warning'}`}
          role="status"
          data-testid={TID.slipStatus}
          data-printed={String(result.printed)}
          data-problem={result.problem ?? ''}
        >
          {result.message}
        </p>
      )}
      <div className="button-row">
        <button type="button" className="btn" disabled={busy} data-testid={TID.slipPrint} onClick={() => void print()}>
          {busy ? t('slip.printing') : result?.printed ? t('slip.printAgain') : t(`slip.print_${kind}`)}
        </button>
        {pdf ? (
          <a className="btn" href={pdf.url} download={pdf.filename} data-testid={TID.slipPdf} onClick={() => setTimeout(() => setPdf(null), 500)}>
            {t('slip.downloadPdf')}
          </a>
        ) : (
          <button type="button" className="btn btn-secondary" data-testid={TID.slipAskPdf} onClick={() => void askPdf()}>
            {t('slip.pdf')}
          </button>
        )}
      </div>
    </div>
  );
}
