import { z } from 'zod';
import { Id, JsonObject, JsonValue, Timestamp } from './common.js';
import { JobConstraints, MinerCapabilities } from './constraints.js';
import { JobStateSchema } from './jobs.js';
import { Receipt } from './receipts.js';

export const MINER_STATUSES = ['ONLINE', 'DRAINING', 'OFFLINE'] as const;
export const MinerStatus = z.enum(MINER_STATUSES);
export type MinerStatus = z.infer<typeof MinerStatus>;

export const RegisterMinerInput = z.strictObject({
  capabilities: MinerCapabilities,
  concurrency: z.number().int().min(1).max(256),
  region: z.string().trim().min(1).max(64).optional(),
});
export const RegisterMinerOutput = z.object({
  miner_id: z.string(),
  heartbeat_interval_seconds: z.number(),
  lease_seconds: z.number(),
});

export const HeartbeatInput = z.strictObject({
  inflight: z.number().int().min(0).max(10_000).optional(),
  metadata: JsonObject.optional(),
});
export const HeartbeatOutput = z.object({
  status: MinerStatus,
  cancel_job_ids: z.array(z.string()),
});

export const PollInput = z.strictObject({
  max_wait_seconds: z.number().min(0).max(3600).optional(),
});
export const AssignedJob = z.object({
  job_id: z.string(),
  lease_id: z.string(),
  attempt: z.number().int(),
  lease_expires_at: Timestamp,
  service: z.string().nullable(),
  payload: JsonObject,
  constraints: JobConstraints,
});
export type AssignedJob = z.infer<typeof AssignedJob>;
export const PollOutput = z.object({ job: AssignedJob.nullable() });

/** Metrics a miner may report; `units`/`unit_type`/`price` flow into the receipt. */
export const JobMetrics = z
  .object({
    units: z.number().nonnegative().max(1e12).optional(),
    unit_type: z.string().trim().min(1).max(32).optional(),
    price: z.number().nonnegative().max(1e12).optional(),
  })
  .catchall(z.union([z.string().max(256), z.number(), z.boolean()]).optional())
  .refine((m) => Object.keys(m).length <= 32, 'at most 32 metrics');

export const SubmitResultInput = z.strictObject({
  job_id: Id,
  lease_id: Id,
  result: JsonValue,
  metrics: JobMetrics.optional(),
});
export const SubmitResultOutput = z.object({ status: z.literal('ok'), receipt: Receipt });

export const FailJobInput = z.strictObject({
  job_id: Id,
  lease_id: Id,
  error_code: z.string().trim().min(1).max(64),
  error_message: z.string().max(2000),
  retryable: z.boolean().optional(),
  metrics: JobMetrics.optional(),
});
export const FailJobOutput = z.object({ status: z.literal('ok'), job_state: JobStateSchema });

export const DrainInput = z.strictObject({});
export const DrainOutput = z.object({ status: z.literal('DRAINING'), inflight: z.number().int() });
