import { signWebhook } from '@aitbc/receipts';
import type { ServiceContext } from '../context.js';
import { type PostOutcome, postWebhook } from './post-webhook.js';

/** Deliveries claimed per run; they are sent concurrently. */
export const DELIVERY_BATCH = 16;
const MAX_RETRY_DELAY_MS = 3600_000;

/** The wait before attempt `attempt + 1`: WEBHOOK_RETRY_BASE_MS, doubling, capped at 1 h. */
export function retryDelayMs(retryBaseMs: number, attempt: number): number {
  return Math.min(retryBaseMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

interface ClaimedDelivery {
  id: string;
  url: string;
  body: string;
  attempts: number;
}

/**
 * Claims due deliveries (FOR UPDATE SKIP LOCKED: each goes to one instance) by moving their
 * next_attempt_at past the attempt's timeout, sends them, and records each attempt. No
 * transaction stays open while a receiver answers; if this instance dies mid-attempt, the
 * claim lapses and the delivery is due again: at least once, with the same webhook-id.
 */
export async function deliverDue(
  ctx: ServiceContext,
  shutdown?: AbortSignal,
): Promise<{ attempted: number; delivered: number }> {
  const { timeoutMs } = ctx.config.webhooks;
  const now = ctx.clock.now();
  const { rows } = await ctx.db.query<ClaimedDelivery>(
    `update webhook_deliveries d
     set attempts = d.attempts + 1, next_attempt_at = $3
     where d.id in (
       select id from webhook_deliveries where next_attempt_at <= $1
       order by next_attempt_at limit $2 for update skip locked)
     returning d.id, d.url, d.body, d.attempts`,
    [now, DELIVERY_BATCH, new Date(now.getTime() + 2 * timeoutMs + 30_000)],
  );
  const outcomes = await Promise.all(rows.map((d) => deliverOne(ctx, d, now, shutdown)));
  return { attempted: rows.length, delivered: outcomes.filter((ok) => ok).length };
}

async function deliverOne(
  ctx: ServiceContext,
  delivery: ClaimedDelivery,
  now: Date,
  shutdown?: AbortSignal,
): Promise<boolean> {
  const { allowPrivate, timeoutMs } = ctx.config.webhooks;
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'aitbc-coordinator-webhooks',
    'webhook-id': delivery.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(ctx.keys.signer, delivery.id, timestamp, delivery.body),
  };
  const started = performance.now();
  const outcome = await postWebhook(delivery.url, headers, delivery.body, {
    allowPrivate,
    timeoutMs,
    ...(shutdown ? { signal: shutdown } : {}),
  });
  // Cut short by shutdown: not the receiver's fault. The claim lapses and another run retries.
  if (shutdown?.aborted) return false;
  await recordAttempt(ctx, delivery, now, outcome, Math.round(performance.now() - started));
  return outcome.error === null;
}

/**
 * Writes the attempt and the delivery's next state in one statement. `attempts = $2` fences it:
 * if this claim lapsed and another run took the delivery, only the attempt row is written.
 */
async function recordAttempt(
  ctx: ServiceContext,
  delivery: ClaimedDelivery,
  at: Date,
  outcome: PostOutcome,
  durationMs: number,
): Promise<void> {
  const { maxAttempts, retryBaseMs } = ctx.config.webhooks;
  const ok = outcome.error === null;
  const givenUp = !ok && delivery.attempts >= maxAttempts;
  const retryAt = new Date(at.getTime() + retryDelayMs(retryBaseMs, delivery.attempts));
  await ctx.db.query(
    `with a as (
       insert into webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
       values ($1, $2, $3, $4, $5, $6) on conflict do nothing
     )
     update webhook_deliveries
     set last_status = $4, last_error = $5,
       delivered_at = case when $7::boolean then $3::timestamptz end,
       failed_at = case when $8::boolean then $3::timestamptz end,
       next_attempt_at = case when $7::boolean or $8::boolean then null else $9::timestamptz end
     where id = $1 and attempts = $2`,
    [
      delivery.id,
      delivery.attempts,
      at,
      outcome.statusCode,
      outcome.error,
      durationMs,
      ok,
      givenUp,
      retryAt,
    ],
  );
}
