import type { ServiceContext } from '../services/context.js';
import { toStreamEvent } from '../services/job-events.js';

/** Idempotency keys are kept at least 24 h (contract §3); a day more absorbs clock skew. */
const IDEMPOTENCY_RETENTION_MS = 48 * 3600 * 1000;

/** QUEUED jobs past `expires_at` become EXPIRED: a background sweep, not only on read. */
export async function sweepExpired(ctx: ServiceContext): Promise<{ expired: number }> {
  const now = ctx.clock.now();
  const expired = await ctx.db.query<{ job_id: string; attempt: number; event_id: string }>(
    `with x as (
       update jobs set state = 'EXPIRED', completed_at = $1
       where id in (
         select id from jobs where state = 'QUEUED' and expires_at <= $1
         order by expires_at limit 1000 for update skip locked
       )
       returning id, attempt
     ), ev as (
       insert into job_events (job_id, type, state, at, attempt)
       select id, 'expired', 'EXPIRED', $1, attempt from x
       returning id, job_id, attempt
     )
     select job_id, attempt, id::text as event_id from ev`,
    [now],
  );
  ctx.events.publish(
    expired.rows.map((row) =>
      toStreamEvent({
        ...row,
        type: 'expired',
        state: 'EXPIRED',
        at: now,
        miner_id: null,
        receipt_id: null,
        error_code: null,
        error_message: null,
      }),
    ),
  );
  await ctx.db.query('delete from idempotency_keys where created_at < $1', [
    new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS),
  ]);
  return { expired: expired.rows.length };
}
