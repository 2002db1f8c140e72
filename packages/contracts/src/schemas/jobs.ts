import { z } from 'zod';
import { JOB_STATES } from '../job-state.js';
import { CONSTRAINT_NAMES, type ConstraintKey } from '../matching.js';
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
import { JobStreamEventType, TERMINAL_STREAM_EVENT_TYPES } from './event-types.js';
import { Receipt } from './receipts.js';

export const JobStateSchema = z.enum(JOB_STATES);

export const WEBHOOK_URL_MAX_LENGTH = 2048;
/** What a job's webhook receives when `webhook_events` is not given: the terminal events. */
export const DEFAULT_WEBHOOK_EVENTS = TERMINAL_STREAM_EVENT_TYPES;

/**
 * The optional webhook of a job (contract §7a). The schema checks the form only; whether the
 * host may be reached (no private, loopback or link-local address) is the coordinator's check.
 */
function WebhookFields() {
  return z.object({
    webhook_url: z
      .string()
      .max(WEBHOOK_URL_MAX_LENGTH)
      .refine(isHttpUrl, 'must be an absolute http or https URL')
      .optional()
      .describe('http(s) URL that receives signed POSTs of the job events (Standard Webhooks)'),
    webhook_events: z
      .array(JobStreamEventType)
      .min(1)
      .max(JOB_STREAM_EVENT_COUNT)
      .optional()
      .describe('the event types to deliver; default the terminal ones (needs webhook_url)'),
  });
}
const JOB_STREAM_EVENT_COUNT = JobStreamEventType.options.length;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

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
  ...WebhookFields().shape,
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
  estimated_price: z
    .number()
    .nullable()
    .describe("expected charge in AITBC from the service's pricing; null without an estimate"),
});
export type JobView = z.infer<typeof JobView>;

/** The answer of a typed service endpoint (POST /v1/services/…): the job it created. */
export const ServiceJobView = z.object({
  job_id: z.string(),
  service: z.string().describe('the registry service id of the job'),
  state: JobStateSchema,
  expires_at: Timestamp,
  estimated_price: JobView.shape.estimated_price,
});
export type ServiceJobView = z.infer<typeof ServiceJobView>;

/** The names of CONSTRAINT_CHECKS, in their fixed order. */
export const ConstraintName = z.enum(CONSTRAINT_NAMES as [ConstraintKey, ...ConstraintKey[]]);

/** A dry run of a submit (POST /v1/jobs/explain): who could run this job, and who could not. */
export const ExplainJobOutput = z.object({
  service: z.string().nullable(),
  constraints: JobConstraints.describe('the effective constraints, after the service plan'),
  estimated_price: JobView.shape.estimated_price,
  online_miners: z.number().int(),
  eligible_miners: z.number().int().describe('ONLINE miners that meet every constraint'),
  free_slots: z.number().int().describe('concurrency minus inflight, summed over eligible miners'),
  checks: z
    .array(
      z.object({
        constraint: ConstraintName,
        required: z
          .string()
          .nullable()
          .describe('what the job needs, in words; null when it does not constrain this'),
        passing: z.number().int(),
        failing: z.number().int(),
      }),
    )
    .describe('each check over the ONLINE miners; a miner may fail several'),
  excluded_by: z
    .array(z.object({ constraint: ConstraintName, miners: z.number().int() }))
    .describe(
      'miners blamed on the first check they fail, in the order of `checks`; sums to online − eligible',
    ),
});
export type ExplainJobOutput = z.infer<typeof ExplainJobOutput>;

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
