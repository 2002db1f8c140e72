import type { Receipt } from '@aitbc/contracts';
import { defineEntity, p } from '@mikro-orm/core';

export const ReceiptEntity = defineEntity({
  name: 'Receipt',
  tableName: 'receipts',
  properties: {
    id: p.string().primary(),
    jobId: p.string(),
    leaseId: p.string(),
    clientId: p.string(),
    minerId: p.string(),
    body: p.json<Receipt>(),
    issuedAt: p.datetime(),
  },
});
