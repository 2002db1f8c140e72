import type { AssignedJob, JobRequirements } from '@aitbc/contracts';
import type { ServiceContext } from './context.js';
import { requirementsOf, requirementsReturning } from './requeued-job.js';

/**
 * Undoes a claim whose job never reached the miner (its push subscription closed between the
 * claim and the delivery): the job goes back to QUEUED as if it had never been claimed (the
 * attempt and its row are taken back, the miner's slot is freed) and a matching waiter is woken.
 * Its stream shows a `requeued` event (code NOT_DELIVERED) after the `running` one of the claim.
 * Guarded by the lease like every other transition, so a claim that has moved on is left alone.
 */
const NOT_DELIVERED = {
  code: 'NOT_DELIVERED',
  message: "the miner's push channel closed before the job reached it",
};

export async function releaseClaim(
  ctx: ServiceContext,
  minerId: string,
  job: Pick<AssignedJob, 'job_id' | 'lease_id'>,
): Promise<boolean> {
  ctx.leases.take(job.lease_id, job.job_id, minerId);
  const now = ctx.clock.now();
  const { rows } = await ctx.db.query<JobRequirements & { attempt: number; event_id: string }>(
    `with released as (
       update jobs set state = 'QUEUED', attempt = attempt - 1, assigned_miner_id = null,
         lease_id = null, lease_expires_at = null, started_at = null, run_deadline_at = null
       where id = $1 and lease_id = $2 and assigned_miner_id = $3 and state = 'RUNNING'
       returning jobs.attempt + 1 as attempt, ${requirementsReturning('jobs')}
     ), a as (
       delete from job_attempts where lease_id = $2 and exists (select 1 from released)
     ), m as (
       update miners set inflight = greatest(0, inflight - 1)
       where id = $3 and exists (select 1 from released)
     ), ev as (
       insert into job_events (job_id, type, state, at, attempt, miner_id, error_code, error_message)
       select $1, 'requeued', 'QUEUED', $4, released.attempt, $3, $5, $6 from released
       returning id
     )
     select released.*, (select id::text from ev) as event_id from released`,
    [job.job_id, job.lease_id, minerId, now, NOT_DELIVERED.code, NOT_DELIVERED.message],
  );
  const released = rows[0];
  if (!released) return false;
  ctx.events.publish([
    {
      event_id: released.event_id,
      job_id: job.job_id,
      type: 'requeued',
      state: 'QUEUED',
      at: now.toISOString(),
      attempt: released.attempt,
      miner_id: minerId,
      error: NOT_DELIVERED,
    },
  ]);
  ctx.signal.slotFreed(minerId);
  ctx.signal.jobQueued(requirementsOf(released));
  return true;
}
