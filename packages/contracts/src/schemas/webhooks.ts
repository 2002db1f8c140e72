import { z } from 'zod';
import { Cursor, Id, Limit, NullableTimestamp, page, Timestamp } from './common.js';
import { JobStreamEventType } from './event-types.js';

/** The Standard Webhooks headers of every delivery (contract §7a). */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

/** One POST to the receiver. */
export const WebhookAttempt = z.object({
  attempt: z.number().int().describe('1 for the first delivery'),
  at: Timestamp,
  status_code: z
    .number()
    .int()
    .nullable()
    .describe("the receiver's HTTP status; null when no answer came (timeout, refused address)"),
  error: z.string().nullable().describe('why the attempt failed; null when it was accepted'),
  duration_ms: z.number().int(),
});
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

/** One event on its way to a job's webhook: its attempts so far and what happens next. */
export const WebhookDelivery = z.object({
  webhook_id: z.string().describe('the `webhook-id` header: the same on every attempt'),
  event_id: z.string().regex(/^\d+$/),
  type: JobStreamEventType,
  url: z.string(),
  status: z
    .enum(WEBHOOK_DELIVERY_STATUSES)
    .describe('delivered on a 2xx answer; failed once WEBHOOK_MAX_ATTEMPTS were refused'),
  created_at: Timestamp,
  next_attempt_at: NullableTimestamp.describe('when the next attempt is due; null once settled'),
  delivered_at: NullableTimestamp,
  attempts: z.array(WebhookAttempt).describe('oldest first'),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const ListWebhookDeliveriesInput = z.strictObject({
  job_id: Id,
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});
export const WebhookDeliveryPage = page(WebhookDelivery);
