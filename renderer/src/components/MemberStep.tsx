import { lazy, memo, Suspense, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from '../i18n/react';
import { useStore } from 'zustand';
import type { ErrorCode, ErrorInfo } from '../../../shared/errors';
import { describeCounterError } from '../i18n/format';
import { useFmt } from '../i18n/useFmt';
import { flash, refusalBeep } from '../scanner/feedback';
import { scannerConfig, screenMemberRead } from '../scanner/scanner-config';
import { SCAN_TID } from '../scanner/scanner-testids';
import '../scanner/scanner.css';
import { useFocusRequest, usePos, usePosStore } from '../state/context';
import { isClosed, saleActions } from '../state/store';
import { TID } from '../testids';

// The camera scanner (with its decode worker) and the scanner set-up load on first use: not in the initial bundle.
const CameraScanner = lazy(() => import('./CameraScanner'));
const ScannerSetup = lazy(() => import('./ScannerSettings'));

/** Refusals of a read the cashier must notice: a beep and a flash. */
const READ_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'MEMBER_NUMBER_FORMAT',
  'MEMBER_NUMBER_CHECK_DIGIT',
  'MEMBER_NOT_FOUND',
  'MEMBER_BLOCKED',
  'MEMBER_CODE_EXPIRED',
]);

/**
 * A refused read this step shows itself, with what was read and why (the
 * message area then stays quiet: a refusal appears in one place only).
 */
export function memberReadRefusal(error: { step: string; info: ErrorInfo } | null): ErrorInfo | null {
  if (!error || error.step !== 'member' || !READ_REFUSALS.has(error.info.code)) return null;
  return typeof error.info.details?.read === 'string' ? error.info : null;
}
/** Where a refused read came from, as the cashier's words (counter.member.readBy_*). */
const READ_SOURCES: ReadonlySet<string> = new Set(['camera', 'scanner', 'keyboard']);

export function MemberStep() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const ref = useRef<HTMLInputElement>(null);
  useFocusRequest('member', ref);
  const text = usePos((s) => s.memberText);
  const setText = usePos((s) => s.setMemberText);
  const identify = usePos((s) => s.identify);
  // Primitives, not the sale or the status: the new balance re-renders the card below, not this form (issue 18).
  const canIdentify = usePos((s) => saleActions(s.sale).canIdentify);
  const hasStatus = usePos((s) => s.status !== null);
  const balanceAtCounter = usePos((s) => s.status?.backend.capabilities.balanceAtCounter);
  const busy = usePos((s) => s.busy);
  const pending = usePos((s) => s.pendingMember);
  const error = usePos((s) => s.error);
  const store = usePosStore();
  const cameraEnabled = useStore(scannerConfig, (s) => s.settings.cameraEnabled);
  const [camera, setCamera] = useState(false);
  const [setup, setSetup] = useState(false);
  const refusalRef = useRef<HTMLDivElement>(null);
  const disabled = !hasStatus || !canIdentify;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void identify(text, 'keyboard');
  };

  // A refused read: a beep and a flash, each time (a new refusal is a new object).
  const memberRefusal = memberReadRefusal(error);
  // Any refused card gets the beep and the flash, also one the backend refused (no read to show).
  const refusedCard = error?.step === 'member' && READ_REFUSALS.has(error.info.code) ? error.info : null;
  useEffect(() => {
    if (!refusedCard) return;
    refusalBeep();
    flash(refusalRef.current ?? ref.current);
  }, [refusedCard]);
  // In the cashier's language and plain words (the service's own English words only in an English UI).
  const reason = memberRefusal ? describeCounterError(memberRefusal, t, fmt) : null;
  const read = memberRefusal ? String(memberRefusal.details!.read) : null;
  const readSource = typeof memberRefusal?.details?.source === 'string' ? memberRefusal.details.source : null;

  const screen = useCallback((raw: string) => screenMemberRead(raw, store.getState().status, 'camera'), [store]);
  const closeCamera = useCallback(() => {
    setCamera(false);
    ref.current?.focus();
  }, []);
  const onCameraRead = useCallback(
    (raw: string) => {
      setCamera(false);
      void store.getState().identify(raw, 'camera');
    },
    [store],
  );
  const cameraPossible = cameraEnabled && typeof navigator !== 'undefined' && !!navigator.mediaDevices && balanceAtCounter !== false;
  return (
    <form className="step" onSubmit={onSubmit} aria-labelledby="member-label">
      <label className="step-label" id="member-label" htmlFor="member-input">
        <span className="step-no">2</span> {t('counter.member.title')}
      </label>
      <div className="field-row">
        <input
          id="member-input"
          ref={ref}
          className="field"
          data-testid={TID.memberInput}
          data-scan-field=""
          type="text"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          placeholder={t('counter.member.placeholder')}
          value={text}
          disabled={disabled}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn" data-testid={TID.identifyButton} disabled={disabled || busy !== null}>
          {busy === 'identify' ? t('counter.member.lookingUp') : t('counter.member.find')}
        </button>
      </div>
      {busy === 'identify' && (
        <p className="hint loading-line" role="status">
          <span className="spinner" aria-hidden="true" /> {t('counter.member.fetching')}
        </p>
      )}
      {pending && <p className="hint">{t('counter.member.pendingRead')}</p>}
      {memberRefusal && read !== null && reason && (
        <div
          ref={refusalRef}
          className="scan-refusal message message-error"
          data-testid={SCAN_TID.scanRefusal}
          data-code={memberRefusal.code}
          data-source={readSource ?? ''}
        >
          <p className="message-text">
            {t(`counter.member.readBy_${readSource && READ_SOURCES.has(readSource) ? readSource : 'other'}`)}{' '}
            <code className="scan-read" data-testid={SCAN_TID.scanRead}>
              {read || t('counter.member.readNothing')}
            </code>
          </p>
          <p data-testid={SCAN_TID.scanReason}>
            {reason.text}
            {reason.detail && <span className="muted"> ({reason.detail})</span>}
          </p>
        </div>
      )}
      <div className="member-tools">
        {cameraPossible && (
          <button type="button" className="btn btn-camera" data-testid={SCAN_TID.cameraButton} disabled={disabled} onClick={() => setCamera(true)}>
            {t('counter.member.camera')}
          </button>
        )}
        <button type="button" className="link-button" data-testid={SCAN_TID.setupButton} onClick={() => setSetup(true)}>
          {t('counter.member.testScanner')}
        </button>
      </div>
      {camera && (
        <Suspense
          fallback={
            <p className="hint" role="status">
              <span className="spinner" aria-hidden="true" /> {t('counter.member.openingCamera')}
            </p>
          }
        >
          <CameraScanner screen={screen} onAccepted={onCameraRead} onClose={closeCamera} />
        </Suspense>
      )}
      {setup && (
        <Suspense fallback={null}>
          <ScannerSetup onClose={() => setSetup(false)} />
        </Suspense>
      )}
      <MemberCard />
    </form>
  );
}

/**
 * The member's card: masked number, first name, balance, and what the balance
 * is worth where points have a price in money (a free amount at a rate; for
 * a catalogue of rewards there is none). A last known balance is said by
 * MemberFacts, beside it.
 */
const MemberCard = memo(function MemberCard() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const sale = usePos((s) => s.sale);
  const redemption = usePos((s) => s.status?.backend.capabilities.redemption);
  const member = sale?.member;
  if (!sale || !member) return null;
  const decimals = sale.terms?.decimals ?? 3;
  // A closed sale keeps the balance it left, not its worth (the terms are gone with the member's session):
  // no "worth €0.00" after Paid.
  const worth =
    redemption === 'points' && !isClosed(sale) ? (sale.terms?.benefit === 'cashback' ? 'counter.member.worthCashback' : 'counter.member.worth') : null;
  return (
    <section className="card member-card" data-testid={TID.memberCard} aria-label={t('counter.member.title')}>
      <div className="member-id">
        <span data-testid={TID.memberMasked}>{member.masked}</span>
        {member.firstName && (
          <span className="member-name" data-testid={TID.memberName}>
            {member.firstName}
          </span>
        )}
      </div>
      <div className="member-balance">
        <span className="big-figure" data-testid={TID.balance} data-milli={member.balanceMilli}>
          {fmt.points(member.balanceMilli, decimals)}
        </span>{' '}
        {t('counter.member.points')}
        {worth && (
          <span className="muted" data-testid={TID.balanceValue} data-cents={member.balanceValue.cents}>
            {' '}
            {t(worth, { amount: fmt.money(member.balanceValue) })}
          </span>
        )}
      </div>
      {member.messages.map((m, i) => (
        <p key={i} className={`backend-message backend-${m.level.toLowerCase()}`} data-testid={TID.backendMessage}>
          {m.text}
        </p>
      ))}
    </section>
  );
});
