/**
 * A manager's approval for one action: who (their person id), their PIN,
 * and, where the log must explain the action, why. One schema for every area,
 * so the renderer builds one approval dialog.
 */
import { z } from '../zod.js';

export const personId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a person id');
export const pin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');
const reason = z.string().trim().min(3, 'say why (3 characters or more)').max(200);

/** An approval; the reason is optional (people, settings, exports). */
export const managerApproval = z.object({ managerId: personId, pin, reason: reason.optional() }).strict();

/** An approval the log must explain (offline overrides, voids, refunds): the reason is required. */
export const explainedApproval = managerApproval.extend({ reason });

export type ManagerApprovalInput = z.infer<typeof managerApproval>;
