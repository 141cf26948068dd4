import { useEffect, useRef } from 'react';
import { useTranslation } from '../i18n/react';
import { useFocusRequest, usePos } from '../state/context';
import { TID } from '../testids';

/** Asks before a sale in progress is cancelled. Enter confirms (the focused button), Escape keeps the sale. */
export function ConfirmDialog() {
  const { t } = useTranslation();
  const yesRef = useRef<HTMLButtonElement>(null);
  const noRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('dialog', yesRef);
  const dialog = usePos((s) => s.dialog);
  const queued = usePos((s) => s.sale?.state === 'queued' || s.sale?.state === 'posting');
  const confirmDialog = usePos((s) => s.confirmDialog);
  const dismiss = usePos((s) => s.dismissDialog);
  useEffect(() => {
    if (!dialog) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        dismiss();
      } else if (e.key === 'Tab') {
        // Keep the focus inside the dialog.
        const buttons = [yesRef.current, noRef.current].filter((b): b is HTMLButtonElement => b !== null);
        const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
        e.preventDefault();
        buttons[(at + (e.shiftKey ? buttons.length - 1 : 1)) % buttons.length]?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dialog, dismiss]);
  if (!dialog) return null;
  return (
    <div className="backdrop" onClick={dismiss}>
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        aria-describedby="dialog-text"
        data-testid={TID.dialog}
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id="dialog-title">{dialog === 'new-sale' ? t('counter.dialog.newSaleTitle') : t('counter.dialog.cancelTitle')}</h2>
        <p id="dialog-text">{queued ? t('counter.dialog.queuedText') : t('counter.dialog.text')}</p>
        <div className="button-row">
          <button ref={yesRef} type="button" className="btn btn-danger" data-testid={TID.dialogConfirm} onClick={() => void confirmDialog()}>
            {t('counter.dialog.yes')}
          </button>
          <button ref={noRef} type="button" className="btn btn-secondary" data-testid={TID.dialogDismiss} onClick={dismiss}>
            {t('counter.dialog.no')}
          </button>
        </div>
      </div>
    </div>
  );
}
