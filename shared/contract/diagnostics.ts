/**
 * Diagnostics: what the screen reports about itself, and the support bundle.
 *
 * reportClientError carries the renderer's uncaught errors and unhandled
 * promise rejections into the terminal's log (the same redacted log files as
 * the service), so a packaged app with no console still keeps them. It is
 * public: an error on the sign-in screen matters as much as one at the counter.
 */
import { z } from '../zod.js';
import { managerApproval } from './approval.js';
import type { ExportTicket } from './manager.js';

export const diagnosticsMethods = {
  reportClientError: z
    .object({
      kind: z.enum(['error', 'unhandledrejection', 'render']),
      message: z.string().max(2000),
      stack: z.string().max(8000).optional(),
      /** Script URL and line, or the React component stack. */
      source: z.string().max(2000).optional(),
    })
    .strict(),
  /**
   * A zip for the support desk: logs, versions, settings without secrets, the
   * log's verification and a queue summary. Downloaded once through the
   * returned ticket, like an export. Managers only.
   */
  requestSupportBundle: z.object({ approval: managerApproval.optional() }).strict(),
};

export interface DiagnosticsResults {
  /** logged: false when the report was dropped by the rate limit. */
  reportClientError: { logged: boolean };
  requestSupportBundle: ExportTicket;
}
