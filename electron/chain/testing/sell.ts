/**
 * Tests and the benchmark: real sales through the terminal service (the
 * embedded training sandbox answers), so the shipped log holds what a
 * counter writes. Every third sale is refunded in part by the manager.
 */
import { DEMO_MEMBERS } from '../../../sandbox/demo-data.js';
import type { Runtime } from '../../runtime.js';

export const TEST_MANAGER = { name: 'Chain Manager', pin: '246810' };

/** The first manager (idempotent); returns its id. */
export function ensureManager(rt: Runtime): string {
  const existing = rt.people.list().find((p) => p.role === 'manager');
  return existing?.id ?? rt.people.createFirstManager(TEST_MANAGER.name, TEST_MANAGER.pin).id;
}

export async function sellOne(rt: Runtime, i: number, managerId: string): Promise<void> {
  const svc = rt.service;
  const sale = await svc.startSale({ basketCents: 1000 + (i % 7) * 100 });
  await svc.identifyMember({ saleId: sale.id, input: DEMO_MEMBERS.bram.cardNumber, source: 'scanner' });
  await svc.quote({ saleId: sale.id, pointsMilli: 1000 * (1 + (i % 3)) });
  const confirmed = await svc.confirmRedemption({ saleId: sale.id, pointsMilli: 1000 * (1 + (i % 3)) });
  if (confirmed.state !== 'posted') return;
  await svc.markPaid({ saleId: sale.id });
  if (i % 3 === 2) await svc.refundSale({ saleId: sale.id, amountCents: 200, approval: { managerId, pin: TEST_MANAGER.pin, reason: 'test refund' } });
}
