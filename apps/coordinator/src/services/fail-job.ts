import type { JobRequirements, JobState } from '@aitbc/contracts';
import type { ServiceContext } from './context.js';
import { leaseLost, loadLeasedJob, requireLease } from './lease-check.js';
import { requirementsOf, requirementsReturning } from './requeued-job.js';

export interface FailInput {
  job_id: string;
  lease_id: string;
  error_code: string;
  error_message: string;
  retryable?: boolean | undefined;
}

/**
 * A miner gives up on a job under its lease. Retryable failures go back to the queue while
 * attempts remain; everything else is FAILED with the miner's error code.
 */
export async function failJob(
  ctx: ServiceContext,
  minerId: string,
  input: FailInput,
): Promise<JobState> {
  ctx.leases.take(input.lease_id, input.job_id, minerId); // the lease ends here either way
  const row = await loadLeasedJob(ctx, input.job_id);
  const next = await requireLease(ctx, row, {
    type: 'fail',
    leaseId: input.lease_id,
    minerId,
    retryable: input.retryable ?? false,
  });
  const now = ctx.clock.now();
  const requeue = next === 'QUEUED';
  const { rows } = await ctx.db.query<JobRequirements & { attempt: number; event_id: string }>(
    `with done as (
       update jobs set state = $5,
         lease_id = case when $6 then null else lease_id end,
         assigned_miner_id = case when $6 then null else assigned_miner_id end,
         lease_expires_at = case when $6 then null else lease_expires_at end,
         started_at = case when $6 then null else started_at end,
         run_deadline_at = case when $6 then null else run_deadline_at end,
         expires_at = case when $6 then $4 + make_interval(secs => ttl_seconds) else expires_at end,
         completed_at = case when $6 then null else $4 end,
         error_code = case when $6 then null else $7 end,
         error_message = case when $6 then null else $8 end
       where id = $1 and state = 'RUNNING' and lease_id = $2 and assigned_miner_id = $3
         and lease_expires_at > $4
       returning jobs.attempt, ${requirementsReturning('jobs')}
     ), a as (
       update job_attempts set ended_at = $4, outcome = case when $6 then 'REQUEUED' else 'FAILED' end,
         error_code = $7
       where lease_id = $2 and exists (select 1 from done)
     ), m as (
       update miners set inflight = inflight - 1, jobs_failed = jobs_failed + 1
       where id = $3 and exists (select 1 from done)
     ), ev as (
       insert into job_events (job_id, type, state, at, attempt, miner_id, error_code, error_message)
       select $1, case when $6 then 'requeued' else 'failed' end, $5, $4, done.attempt, $3, $7, $8
       from done
       returning id
     )
     select done.*, (select id::text from ev) as event_id from done`,
    [row.id, input.lease_id, minerId, now, next, requeue, input.error_code, input.error_message],
  );
  const done = rows[0];
  if (!done) throw await leaseLost(ctx, row.id, input.lease_id, minerId);
  ctx.events.publish([
    {
      event_id: done.event_id,
      job_id: row.id,
      type: requeue ? 'requeued' : 'failed',
      state: next,
      at: now.toISOString(),
      attempt: done.attempt,
      miner_id: minerId,
      error: { code: input.error_code, message: input.error_message },
    },
  ]);
  ctx.signal.slotFreed(minerId);
  if (requeue) ctx.signal.jobQueued(requirementsOf(done));
  return next;
}
