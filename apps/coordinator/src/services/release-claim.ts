import type { AssignedJob, JobRequirements } from '@aitbc/contracts';
import type { ServiceContext } from './context.js';
import { requirementsOf, requirementsReturning } from './requeued-job.js';

/**
 * Undoes a claim whose job never reached the miner (its push subscription closed between the
 * claim and the delivery): the job goes back to QUEUED as if it had never been claimed (the
 * attempt and its row are taken back, the miner's slot is freed) and a matching waiter is woken.
 * Guarded by the lease like every other transition, so a claim that has moved on is left alone.
 */
export async function releaseClaim(
  ctx: ServiceContext,
  minerId: string,
  job: Pick<AssignedJob, 'job_id' | 'lease_id'>,
): Promise<boolean> {
  ctx.leases.take(job.lease_id, job.job_id, minerId);
  const { rows } = await ctx.db.query<JobRequirements>(
    `with released as (
       update jobs set state = 'QUEUED', attempt = attempt - 1, assigned_miner_id = null,
         lease_id = null, lease_expires_at = null, started_at = null, run_deadline_at = null
       where id = $1 and lease_id = $2 and assigned_miner_id = $3 and state = 'RUNNING'
       returning ${requirementsReturning('jobs')}
     ), a as (
       delete from job_attempts where lease_id = $2 and exists (select 1 from released)
     ), m as (
       update miners set inflight = greatest(0, inflight - 1)
       where id = $3 and exists (select 1 from released)
     )
     select * from released`,
    [job.job_id, job.lease_id, minerId],
  );
  const released = rows[0];
  if (!released) return false;
  ctx.signal.slotFreed(minerId);
  ctx.signal.jobQueued(requirementsOf(released));
  return true;
}
