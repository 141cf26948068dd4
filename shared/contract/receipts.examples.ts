/** One valid input per method of the receipts area (the contract tests spread these into their table). */
export const RECEIPTS_EXAMPLES: Record<string, unknown> = {
  getReceipt: { saleId: 'lx2k3j4h5-0a1b2c3d4e5f', kind: 'sale' },
  printReceipt: { saleId: 'lx2k3j4h5-0a1b2c3d4e5f', kind: 'void', language: 'nl' },
  requestReceiptPdf: { saleId: 'lx2k3j4h5-0a1b2c3d4e5f', kind: 'refund', refundSeq: 12 },
  testPrinter: {},
};
