/** The data-testids of the camera scanner, the scan refusal and the scanner set-up (for the e2e specs). */
export const SCAN_TID = {
  cameraButton: 'camera-button',
  /** data-state: starting | scanning | problem */
  cameraDialog: 'camera-dialog',
  cameraRegion: 'camera-region',
  cameraFrameHint: 'camera-frame-hint',
  /** The guide frame drawn over the picture (a hint only: the whole picture is read). */
  cameraGuide: 'camera-guide',
  /** Said after some seconds without any read: how to hold the code, or type it. */
  cameraNoRead: 'camera-no-read',
  cameraSelect: 'camera-select',
  cameraClose: 'camera-close',
  cameraRetry: 'camera-retry',
  /** data-kind: no-camera | denied | busy | unsupported | failed */
  cameraProblem: 'camera-problem',
  /** A code the camera read and the terminal refused: data-code, with the read text inside. */
  cameraRefusal: 'camera-refusal',
  /** A refused read at the member step (any source): data-code, data-source. */
  scanRefusal: 'scan-refusal',
  scanRead: 'scan-read',
  scanReason: 'scan-reason',
  setupButton: 'scanner-setup-button',
  setupDialog: 'scanner-setup',
  setupClose: 'scanner-setup-close',
  setupSave: 'scanner-setup-save',
  setupSaved: 'scanner-setup-saved',
  setupError: 'scanner-setup-error',
  field: (name: string) => `scanner-${name}`,
  testPanel: 'scanner-test',
  testKeys: 'scanner-test-keys',
  /** data-verdict: scan | not-scan; data-code */
  testResult: 'scanner-test-result',
  testClear: 'scanner-test-clear',
} as const;
