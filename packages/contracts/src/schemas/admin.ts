import { z } from 'zod';
import { JOB_STATES } from '../job-state.js';
import { Cursor, Id, Limit, NullableTimestamp, page } from './common.js';
import { MinerCapabilities } from './constraints.js';
import { JobStateSchema, JobView } from './jobs.js';
import { MINER_STATUSES, MinerStatus } from './miners.js';

const countsOf = <T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(
    Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<T[number], z.ZodNumber>,
  );

export const StatsOutput = z.object({
  total_jobs: z.number().int(),
  jobs_by_state: countsOf(JOB_STATES),
  queue_depth: z.number().int(),
  online_miners: z.number().int(),
  miners_by_status: countsOf(MINER_STATUSES),
  avg_job_duration_ms: z.number().nullable(),
  receipts_issued: z.number().int(),
});

export const AdminJobsInput = z.strictObject({
  state: JobStateSchema.optional(),
  client_id: Id.optional(),
  miner_id: Id.optional(),
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export const AdminJobView = JobView.extend({ client_id: z.string() });
export const AdminJobPage = page(AdminJobView);

export const AdminMinersInput = z.strictObject({
  status: MinerStatus.optional(),
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export const AdminMinerView = z.object({
  miner_id: z.string(),
  status: MinerStatus,
  region: z.string().nullable(),
  concurrency: z.number().int(),
  inflight: z.number().int(),
  capabilities: MinerCapabilities,
  last_heartbeat: NullableTimestamp,
  registered_at: NullableTimestamp,
  jobs_completed: z.number().int(),
  jobs_failed: z.number().int(),
});
export const AdminMinerPage = page(AdminMinerView);
