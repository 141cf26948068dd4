/**
 * The camera scanner: a dialog with the camera's picture and a frame to hold
 * the code in, a choice of camera when there are several, and a clear message
 * when there is no camera or it is not allowed (with what to do). It closes
 * by itself after a read the terminal accepts; a refused read (wrong check
 * digit, not a member number) is shown with what was read and why, with a
 * beep and a flash, and the camera keeps looking.
 *
 * Loaded on demand (MemberStep: React.lazy), with its engine (scanner/camera-engine.ts:
 * frames decoded in a worker).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from '../i18n/react';
import type { ErrorInfo } from '../../../shared/errors';
import { isProblem, listCameras, startCamera, type CameraChoice, type CameraRead, type CameraSession } from '../scanner/camera-engine';
import { CAMERA_PROBLEM_KEYS, cameraProblem, type CameraProblem } from '../scanner/camera-errors';
import { flash, goodReadBeep, refusalBeep } from '../scanner/feedback';
import { loadPatternEngine } from '../scanner/pattern-engine';
import type { ScreenedRead } from '../scanner/scanner-config';
import { SCAN_TID } from '../scanner/scanner-testids';
import './CameraScanner.css';

const REGION_ID = 'pos-camera-region';
const CAMERA_KEY = 'pos.cameraId';
/** The same refused code is not announced again within this time (the camera sees it many times a second). */
const REPEAT_QUIET_MS = 2500;
/** Scanning this long without any read: the dialog says how to hold the code (or to type it). */
export const NO_READ_HINT_MS = 6000;

export interface CameraScannerProps {
  /** The terminal's check of a read (screenMemberRead). */
  screen: (text: string) => ScreenedRead;
  /** An accepted read: the dialog is closing. */
  onAccepted: (text: string) => void;
  onClose: () => void;
}

type Phase = 'starting' | 'scanning' | 'problem';

function rememberedCamera(): string | null {
  try {
    return window.localStorage.getItem(CAMERA_KEY);
  } catch {
    return null;
  }
}

function rememberCamera(id: string | null): void {
  try {
    if (id) window.localStorage.setItem(CAMERA_KEY, id);
  } catch {
    // not kept: the first camera is used next time
  }
}

export default function CameraScanner({ screen, onAccepted, onClose }: CameraScannerProps) {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>('starting');
  const [problem, setProblem] = useState<CameraProblem | null>(null);
  const [cameras, setCameras] = useState<CameraChoice[]>([]);
  const [deviceId, setDeviceId] = useState<string | null>(() => rememberedCamera());
  const [refusal, setRefusal] = useState<{ error: ErrorInfo; format: string } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [anyRead, setAnyRead] = useState(false);
  /** The camera attempt whose scanning went on without a read for NO_READ_HINT_MS. */
  const [silentAttempt, setSilentAttempt] = useState<number | null>(null);
  const refusalRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const done = useRef(false);
  const lastRefused = useRef<{ text: string; at: number } | null>(null);
  const latest = useRef({ screen, onAccepted });
  latest.current = { screen, onAccepted };

  useEffect(() => {
    closeRef.current?.focus();
    performance.mark('camera-open');
  }, []);

  const onRead = useCallback((read: CameraRead) => {
    if (done.current) return;
    setAnyRead(true);
    const verdict = latest.current.screen(read.text);
    if (verdict.ok) {
      done.current = true;
      performance.mark('camera-decoded', { detail: { decodeMs: read.decodeMs } });
      goodReadBeep();
      latest.current.onAccepted(read.text);
      return;
    }
    const now = performance.now();
    const last = lastRefused.current;
    if (last && last.text === read.text && now - last.at < REPEAT_QUIET_MS) return;
    lastRefused.current = { text: read.text, at: now };
    performance.mark('camera-refused');
    setRefusal({ error: verdict.error, format: read.format });
    refusalBeep();
    requestAnimationFrame(() => flash(refusalRef.current));
  }, []);

  useEffect(() => {
    let alive = true;
    let session: CameraSession | null = null;
    setPhase('starting');
    setProblem(null);
    void (async () => {
      // No camera at all: say so without asking for permission.
      // The pattern engine loads alongside (a QR often holds a URL, read by the backend's pattern): no read waits for it.
      const [known] = await Promise.all([listCameras().catch(() => null), loadPatternEngine().catch(() => null)]);
      if (!alive) return;
      if (known && known.length === 0) {
        setProblem(cameraProblem('no-camera', 'the browser lists no video input'));
        setPhase('problem');
        return;
      }
      const wanted = deviceId && known?.some((c) => c.id === deviceId) ? deviceId : null;
      const started = await startCamera(REGION_ID, wanted, onRead);
      if (!alive) {
        if (!isProblem(started)) void started.stop();
        return;
      }
      if (isProblem(started)) {
        setProblem(started);
        setPhase('problem');
        return;
      }
      session = started;
      setPhase('scanning');
      // Labels and ids are known once the camera was allowed.
      const list = await listCameras().catch(() => []);
      if (!alive) return;
      setCameras(list);
      if (started.deviceId) {
        rememberCamera(started.deviceId);
        setDeviceId(started.deviceId); // shown in the choice; not a dependency, so the camera does not restart
      }
    })();
    return () => {
      alive = false;
      void session?.stop();
    };
    // A new camera choice restarts through `attempt`; recording the camera in use must not restart it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [attempt, onRead]);

  // Nothing read for a while (a code held too close, blurred, badly lit): say what to do
  // rather than stay silent. The timer runs on the page's clock (tests move it on).
  useEffect(() => {
    if (phase !== 'scanning' || anyRead) return;
    const timer = window.setTimeout(() => setSilentAttempt(attempt), NO_READ_HINT_MS);
    return () => window.clearTimeout(timer);
  }, [phase, anyRead, attempt]);
  const noRead = silentAttempt === attempt && phase === 'scanning' && !anyRead;

  const choose = (id: string) => {
    rememberCamera(id);
    setDeviceId(id);
    setRefusal(null);
    setAttempt((n) => n + 1);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const read = typeof refusal?.error.details?.read === 'string' ? refusal.error.details.read : '';

  // On <body>: the counter's member step is a <form>, and a dialog is no part of it.
  return createPortal(
    <div className="camera-backdrop" role="presentation">
      <div className="camera-dialog" role="dialog" aria-modal="true" aria-labelledby="camera-title" data-testid={SCAN_TID.cameraDialog} data-state={phase}>
        <header className="camera-head">
          <h2 id="camera-title">{t('counter.scanner.cameraTitle')}</h2>
          {cameras.length > 1 && (
            <label className="camera-choice">
              {t('counter.scanner.cameraChoice')}{' '}
              <select data-testid={SCAN_TID.cameraSelect} value={deviceId ?? ''} onChange={(e) => choose(e.target.value)}>
                {cameras.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button ref={closeRef} type="button" className="btn" data-testid={SCAN_TID.cameraClose} onClick={onClose}>
            {t('common.close')}
          </button>
        </header>

        {phase === 'problem' && problem ? (
          <div className="camera-problem message message-error" role="alert" data-testid={SCAN_TID.cameraProblem} data-kind={problem.kind}>
            <p className="message-text">
              <strong>{t(`counter.scanner.cameraProblem.${CAMERA_PROBLEM_KEYS[problem.kind].title}`)}.</strong>{' '}
              {t(`counter.scanner.cameraProblem.${CAMERA_PROBLEM_KEYS[problem.kind].help}`)} {t('counter.scanner.cameraProblem.whatElse')}
            </p>
            {problem.detail && <p className="camera-detail muted">{problem.detail}</p>}
            <button type="button" className="btn" data-testid={SCAN_TID.cameraRetry} onClick={() => setAttempt((n) => n + 1)}>
              {t('common.retry')}
            </button>
          </div>
        ) : (
          <>
            <div className="camera-stage">
              <div id={REGION_ID} className="camera-region" data-testid={SCAN_TID.cameraRegion} />
              {phase === 'scanning' && <div className="camera-guide" data-testid={SCAN_TID.cameraGuide} aria-hidden="true" />}
              {phase === 'starting' && (
                <p className="camera-starting" role="status">
                  <span className="spinner" aria-hidden="true" /> {t('counter.scanner.cameraStarting')}
                </p>
              )}
            </div>
            <p className="hint" data-testid={SCAN_TID.cameraFrameHint}>
              {t('counter.scanner.cameraFrameHint')}
            </p>
            {noRead && !refusal && (
              <p className="message message-warning" role="status" data-testid={SCAN_TID.cameraNoRead}>
                {t('counter.scanner.cameraNoRead')}
              </p>
            )}
          </>
        )}

        {refusal && (
          <div ref={refusalRef} className="scan-refusal message message-error" role="alert" data-testid={SCAN_TID.cameraRefusal} data-code={refusal.error.code}>
            <p className="message-text">
              {refusal.format ? t('counter.scanner.readAs', { format: refusal.format.replace('_', ' ') }) : t('counter.member.readBy_other')}{' '}
              <code className="scan-read">{read || t('counter.member.readNothing')}</code>
            </p>
            <p className="message-text">
              {refusal.error.message} {t('counter.scanner.tryAgainOrType')}
            </p>
          </div>
        )}
      </div>
    </div>,
    document.body,
  );
}
