import { z } from 'zod';
import { ErrorInfo, Id, Timestamp } from './common.js';
import { JobStreamEventType } from './event-types.js';
import { JobStateSchema } from './jobs.js';
import { AssignedJob } from './miners.js';

export {
  JOB_STREAM_EVENT_TYPES,
  JobStreamEventType,
  TERMINAL_STREAM_EVENT_TYPES,
} from './event-types.js';

/**
 * One event of a job's stream. `event_id` is a decimal string that increases along a job's stream
 * (it is the event's row id): a client resumes after the last one it saw, without gaps or repeats.
 */
export const JobStreamEvent = z.object({
  event_id: z.string().regex(/^\d+$/),
  job_id: z.string(),
  type: JobStreamEventType,
  state: JobStateSchema.describe('the job state after the event'),
  at: Timestamp,
  attempt: z.number().int().optional(),
  miner_id: z.string().optional(),
  progress: z.number().min(0).max(100).optional(),
  message: z.string().optional(),
  receipt_id: z.string().optional(),
  error: ErrorInfo.optional(),
});
export type JobStreamEvent = z.infer<typeof JobStreamEvent>;

/** jobs.watch: one job's events from its current state on (or after `last_event_id`). */
export const WatchJobInput = z.strictObject({
  job_id: Id,
  last_event_id: z.string().regex(/^\d+$/).max(20).optional(),
});

/** admin.events: every job's events, live (or after `last_event_id`). */
export const WatchAllInput = z.strictObject({
  last_event_id: z.string().regex(/^\d+$/).max(20).optional(),
});

/** POST /v1/miners/{job_id}/progress: fenced by the lease, like a result. */
export const ReportProgressInput = z.strictObject({
  job_id: Id,
  lease_id: Id,
  progress: z.number().min(0).max(100),
  message: z.string().max(500).optional(),
});

/** miners.assignments: what a miner's push channel delivers (contract §7a). */
export const Assignment = z.discriminatedUnion('type', [
  z.object({ type: z.literal('job'), job: AssignedJob }),
  z.object({ type: z.literal('cancel'), job_id: z.string() }),
]);
export type Assignment = z.infer<typeof Assignment>;
