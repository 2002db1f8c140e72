import { JOB_STATES } from '@aitbc/contracts';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A job as stored. Writes that change `state` go through the conditional SQL in `sql/`. */
export const JobEntity = defineEntity({
  name: 'Job',
  tableName: 'jobs',
  properties: {
    id: p.string().primary(),
    clientId: p.string(),
    state: p.enum([...JOB_STATES]),
    service: p.string().nullable(),
    payload: p.json<Record<string, unknown>>(),
    payloadSha256: p.string(),
    constraints: p.json<Record<string, unknown>>(),
    priority: p.integer(),
    attempt: p.integer(),
    maxAttempts: p.integer(),
    ttlSeconds: p.integer(),
    timeoutSeconds: p.integer(),
    assignedMinerId: p.string().nullable(),
    leaseId: p.string().nullable(),
    leaseExpiresAt: p.datetime().nullable(),
    requestedAt: p.datetime(),
    startedAt: p.datetime().nullable(),
    completedAt: p.datetime().nullable(),
    expiresAt: p.datetime(),
    result: p.json<unknown>().nullable(),
    errorCode: p.string().nullable(),
    errorMessage: p.string().nullable(),
    estimatedPrice: p.double().nullable(),
  },
});
export type JobRow = InferEntity<typeof JobEntity>;
