/**
 * Why the camera could not start, sorted into kinds a cashier can act on. The camera
 * library reports failures as strings ("Error getting userMedia, error =
 * NotAllowedError: Permission denied") or DOMExceptions; both are sorted here.
 */

export type CameraProblemKind = 'no-camera' | 'denied' | 'busy' | 'unsupported' | 'failed';

/** The words for each kind are in the counter catalogue (counter.scanner.cameraProblem): title, what to do. */
export interface CameraProblem {
  kind: CameraProblemKind;
  /** The technical detail, for the manager. */
  detail: string;
}

export function cameraProblem(kind: CameraProblemKind, detail = ''): CameraProblem {
  return { kind, detail };
}

/** The catalogue keys (under counter.scanner.cameraProblem) of a problem's title and help. */
export const CAMERA_PROBLEM_KEYS: Record<CameraProblemKind, { title: string; help: string }> = {
  'no-camera': { title: 'noCameraTitle', help: 'noCameraHelp' },
  denied: { title: 'deniedTitle', help: 'deniedHelp' },
  busy: { title: 'busyTitle', help: 'busyHelp' },
  unsupported: { title: 'unsupportedTitle', help: 'unsupportedHelp' },
  failed: { title: 'failedTitle', help: 'failedHelp' },
};

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
