/**
 * The camera scanner's engine: html5-qrcode's core (no UI of its own), set to
 * read QR codes and CODE128 only (what UiTPAS cards and the UiTPAS app show,
 * and what member apps put in a QR). Imported only by CameraScanner.tsx,
 * which the counter loads on demand: html5-qrcode and its decoder stay out of
 * the initial bundle.
 *
 * html5-qrcode styles its elements through the CSSOM (element.style), which
 * the Content-Security-Policy does not govern, and injects no <style> or
 * script: it runs under the app's policy (electron/security-policy.ts).
 */
import { Html5Qrcode } from 'html5-qrcode/esm/html5-qrcode.js';
import { Html5QrcodeSupportedFormats } from 'html5-qrcode/esm/core.js';
import { classifyCameraError, cameraProblem, type CameraProblem } from './camera-errors';

export interface CameraChoice {
  id: string;
  label: string;
}

export interface CameraRead {
  text: string;
  /** 'QR_CODE' or 'CODE_128'. */
  format: string;
}

export interface CameraSession {
  stop(): Promise<void>;
  /** The camera in use, when the browser says. */
  deviceId: string | null;
}

const FORMATS = [Html5QrcodeSupportedFormats.QR_CODE, Html5QrcodeSupportedFormats.CODE_128];

/** The cameras the browser knows; labels only once the camera was allowed. */
export async function listCameras(): Promise<CameraChoice[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ id: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

/**
 * Starts the camera into the element `elementId` and calls `onRead` for
 * every decoded code (the caller stops it). The whole picture is decoded, not
 * a scan box inside it: a code held close (bigger than a box of 80% x 60%)
 * was never read before. The dialog draws its own guide frame, only as a hint
 * of where to hold the code.
 */
export async function startCamera(elementId: string, deviceId: string | null, onRead: (read: CameraRead) => void): Promise<CameraSession | CameraProblem> {
  if (!navigator.mediaDevices?.getUserMedia) return cameraProblem('unsupported', 'navigator.mediaDevices.getUserMedia is missing');
  const engine = new Html5Qrcode(elementId, { verbose: false, formatsToSupport: FORMATS, useBarCodeDetectorIfSupported: true });
  const constraints: MediaTrackConstraints = deviceId ? { deviceId: { exact: deviceId } } : { facingMode: 'environment' };
  try {
    await engine.start(
      constraints,
      { fps: 12, disableFlip: false },
      (text, result) => onRead({ text, format: result?.result?.format?.formatName ?? '' }),
      () => {},
    );
  } catch (e) {
    try {
      engine.clear();
    } catch {
      // nothing was rendered
    }
    return classifyCameraError(e);
  }
  let settingsId: string | null = null;
  try {
    settingsId = engine.getRunningTrackSettings().deviceId ?? null;
  } catch {
    settingsId = deviceId;
  }
  let stopped = false;
  return {
    deviceId: settingsId,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await engine.stop();
      } catch {
        // not scanning any more
      }
      try {
        engine.clear();
      } catch {
        // already cleared
      }
    },
  };
}

export function isProblem(x: CameraSession | CameraProblem): x is CameraProblem {
  return 'kind' in x;
}
