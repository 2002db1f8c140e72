import { MINER_STATUSES, type MinerCapabilities } from '@aitbc/contracts';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

export const MinerEntity = defineEntity({
  name: 'Miner',
  tableName: 'miners',
  properties: {
    id: p.string().primary(),
    status: p.enum([...MINER_STATUSES]),
    concurrency: p.integer(),
    inflight: p.integer(),
    region: p.string().nullable(),
    capabilities: p.json<MinerCapabilities>(),
    registeredAt: p.datetime(),
    lastSeenAt: p.datetime(),
    jobsCompleted: p.integer(),
    jobsFailed: p.integer(),
  },
});
export type MinerRow = InferEntity<typeof MinerEntity>;
