/**
 * Why the camera could not start, in words a cashier can act on. The camera
 * library reports failures as strings ("Error getting userMedia, error =
 * NotAllowedError: Permission denied") or DOMExceptions; both are sorted here.
 */

export type CameraProblemKind = 'no-camera' | 'denied' | 'busy' | 'unsupported' | 'failed';

export interface CameraProblem {
  kind: CameraProblemKind;
  title: string;
  /** What to do about it. */
  help: string;
  /** The technical detail, for the manager. */
  detail: string;
}

const WHAT_ELSE = 'Meanwhile, scan the card with the barcode scanner or type the number.';

export function cameraProblem(kind: CameraProblemKind, detail = ''): CameraProblem {
  switch (kind) {
    case 'no-camera':
      return {
        kind,
        title: 'No camera found',
        help: `This terminal has no camera, or it is unplugged. Connect a USB camera, then press "Try again". ${WHAT_ELSE}`,
        detail,
      };
    case 'denied':
      return {
        kind,
        title: 'The camera is not allowed',
        help:
          'Permission to use the camera was refused. Allow the camera for this app: on Windows in Settings › Privacy & security › Camera ("Let desktop apps access your camera"), ' +
          `on a Mac in System Settings › Privacy & Security › Camera; in a browser, in the site settings next to the address. Then press "Try again". ${WHAT_ELSE}`,
        detail,
      };
    case 'busy':
      return {
        kind,
        title: 'The camera is in use',
        help: `Another program is using the camera (a video call?). Close it, then press "Try again". ${WHAT_ELSE}`,
        detail,
      };
    case 'unsupported':
      return { kind, title: 'No camera support', help: `This screen cannot use a camera. ${WHAT_ELSE}`, detail };
    default:
      return { kind: 'failed', title: 'The camera did not start', help: `Press "Try again", or unplug the camera and plug it in again. ${WHAT_ELSE}`, detail };
  }
}

/** Sorts an error from getUserMedia / the camera library. */
export function classifyCameraError(err: unknown): CameraProblem {
  const name = err instanceof Error || (typeof DOMException !== 'undefined' && err instanceof DOMException) ? (err as Error).name : '';
  const text = `${name} ${err instanceof Error ? err.message : String(err)}`;
  const detail = text.trim().slice(0, 200);
  if (/NotAllowedError|PermissionDenied|Permission denied|SecurityError|permission/i.test(text)) return cameraProblem('denied', detail);
  if (/NotFoundError|DevicesNotFound|OverconstrainedError|Requested device not found|no camera/i.test(text)) return cameraProblem('no-camera', detail);
  if (/NotReadableError|TrackStartError|Could not start video source|in use/i.test(text)) return cameraProblem('busy', detail);
  if (/not supported|streaming/i.test(text)) return cameraProblem('unsupported', detail);
  return cameraProblem('failed', detail);
}
