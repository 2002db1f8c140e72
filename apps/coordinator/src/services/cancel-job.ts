import { AppError, type JobView, sourcesOf } from '@aitbc/contracts';
import type { ServiceContext } from './context.js';
import { toStreamEvent } from './job-events.js';
import { findOwnJob, getJob } from './job-queries.js';

/**
 * QUEUED or RUNNING → CANCELED in one conditional statement. A RUNNING job stops counting
 * against its miner at once, and its attempt keeps a cancel notice (announced in the miner's
 * heartbeats) until the miner reports on it or the lease would have ended; a miner subscribed
 * to its push channel on this instance is told at once.
 */
export async function cancelJob(
  ctx: ServiceContext,
  clientId: string,
  jobId: string,
): Promise<JobView> {
  const now = ctx.clock.now();
  const { rows } = await ctx.db.query<{
    lease_id: string | null;
    assigned_miner_id: string | null;
    attempt: number;
    event_id: string;
  }>(
    `with c as (
       update jobs set state = 'CANCELED', completed_at = $3,
         error_code = null, error_message = null
       where id = $1 and client_id = $2 and state = any($4::text[])
       returning lease_id, assigned_miner_id, lease_expires_at, attempt
     ), a as (
       update job_attempts set ended_at = $3, outcome = 'CANCELED', cancel_notice_until = c.lease_expires_at
       from c where job_attempts.lease_id = c.lease_id
     ), m as (
       update miners set inflight = inflight - 1
       from c where miners.id = c.assigned_miner_id and c.lease_id is not null
     ), ev as (
       insert into job_events (job_id, type, state, at, attempt, miner_id)
       select $1, 'canceled', 'CANCELED', $3, c.attempt, c.assigned_miner_id from c
       returning id
     )
     select lease_id, assigned_miner_id, attempt, (select id::text from ev) as event_id from c`,
    [jobId, clientId, now, sourcesOf('CANCELED')],
  );
  const canceled = rows[0];
  if (!canceled) {
    const job = await findOwnJob(ctx, clientId, jobId); // 404 if not ours
    throw new AppError('JOB_TERMINAL', `job ${jobId} is already ${job.state}`);
  }
  ctx.events.publish([
    toStreamEvent({
      event_id: canceled.event_id,
      job_id: jobId,
      type: 'canceled',
      state: 'CANCELED',
      at: now,
      attempt: canceled.attempt,
      miner_id: canceled.assigned_miner_id,
      receipt_id: null,
      error_code: null,
      error_message: null,
    }),
  ]);
  if (canceled.assigned_miner_id) {
    ctx.signal.slotFreed(canceled.assigned_miner_id);
    ctx.push.jobCanceled(canceled.assigned_miner_id, jobId);
  }
  return getJob(ctx, clientId, jobId);
}
