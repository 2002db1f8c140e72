import { AppError, type WebhookAttempt, type WebhookDelivery } from '@aitbc/contracts';
import type { ServiceContext } from '../context.js';
import { decodeCursor, encodeCursor } from '../ids.js';
import { findOwnJob } from '../job-queries.js';

interface DeliveryRow {
  id: string;
  event_id: number;
  event_type: WebhookDelivery['type'];
  url: string;
  created_at: Date;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: Date;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** The webhook deliveries of a client's own job, by event (oldest first), with their attempts. */
export async function listWebhookDeliveries(
  ctx: ServiceContext,
  clientId: string,
  jobId: string,
  limit: number,
  cursor?: string,
): Promise<{ items: WebhookDelivery[]; next_cursor: string | null }> {
  await findOwnJob(ctx, clientId, jobId);
  const after = decodeCursor(cursor);
  if (after !== null && !/^\d{1,18}$/.test(after)) throw invalidCursor();
  const { rows } = await ctx.db.query<DeliveryRow>(
    `select id, event_id, event_type, url, created_at, next_attempt_at, delivered_at, failed_at
     from webhook_deliveries where job_id = $1 and event_id > $2 order by event_id limit $3`,
    [jobId, after ?? '0', limit + 1],
  );
  const page = rows.slice(0, limit);
  const attempts = await ctx.db.query<AttemptRow>(
    `select delivery_id, attempt, at, status_code, error, duration_ms from webhook_attempts
     where delivery_id = any($1::text[]) order by delivery_id, attempt`,
    [page.map((r) => r.id)],
  );
  const byDelivery = new Map<string, AttemptRow[]>();
  for (const a of attempts.rows)
    byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
  const last = page.at(-1);
  return {
    items: page.map((row) => toDelivery(row, byDelivery.get(row.id) ?? [])),
    next_cursor: rows.length > limit && last ? encodeCursor(String(last.event_id)) : null,
  };
}

function toDelivery(row: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery {
  return {
    webhook_id: row.id,
    event_id: String(row.event_id),
    type: row.event_type,
    url: row.url,
    status: row.delivered_at ? 'delivered' : row.failed_at ? 'failed' : 'pending',
    created_at: row.created_at.toISOString(),
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    delivered_at: row.delivered_at?.toISOString() ?? null,
    attempts: attempts.map(
      (a): WebhookAttempt => ({
        attempt: a.attempt,
        at: a.at.toISOString(),
        status_code: a.status_code,
        error: a.error,
        duration_ms: a.duration_ms,
      }),
    ),
  };
}

const invalidCursor = () =>
  new AppError('VALIDATION_FAILED', 'invalid cursor', [
    { path: 'cursor', message: 'not a cursor from this API' },
  ]);
