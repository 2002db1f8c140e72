import { z } from 'zod';
import { JOB_STATES } from '../job-state.js';
import {
  Cursor,
  ErrorInfo,
  Id,
  JsonObject,
  JsonValue,
  Limit,
  NullableTimestamp,
  page,
  Timestamp,
} from './common.js';
import { JobConstraints } from './constraints.js';
import { Receipt } from './receipts.js';

export const JobStateSchema = z.enum(JOB_STATES);

export const SubmitJobInput = z.strictObject({
  service: z.string().trim().min(1).max(64).optional(),
  payload: JsonObject,
  constraints: JobConstraints.optional(),
  ttl_seconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
  max_attempts: z.number().int().min(1).max(20).optional(),
});
export type SubmitJobInput = z.infer<typeof SubmitJobInput>;

export const JobView = z.object({
  job_id: z.string(),
  state: JobStateSchema,
  service: z.string().nullable(),
  constraints: JobConstraints,
  priority: z.number().int(),
  attempt: z.number().int(),
  max_attempts: z.number().int(),
  assigned_miner_id: z.string().nullable(),
  requested_at: Timestamp,
  started_at: NullableTimestamp,
  completed_at: NullableTimestamp,
  expires_at: Timestamp,
  error: ErrorInfo.nullable(),
});
export type JobView = z.infer<typeof JobView>;

export const JobIdInput = z.strictObject({ job_id: Id });

export const ListJobsInput = z.strictObject({
  state: JobStateSchema.optional(),
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export const JobPage = page(JobView);

export const JobResultView = z.object({
  job_id: z.string(),
  state: JobStateSchema,
  result: JsonValue.nullable(),
  error: ErrorInfo.nullable(),
  receipt: Receipt.nullable(),
});

export const ListReceiptsInput = z.strictObject({
  job_id: Id,
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export const ReceiptPage = page(Receipt);
