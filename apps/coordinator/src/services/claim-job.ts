import type { AssignedJob } from '@aitbc/contracts';
import { addSeconds } from './clock.js';
import type { ServiceContext } from './context.js';
import { uuidv7 } from './ids.js';
import { type ClaimedRow, toAssignedJob } from './job-views.js';

/**
 * The whole claim is one statement:
 * - `mi` reads the miner while it is ONLINE with a free slot (no lock yet).
 * - `pick` takes the best matching QUEUED job (priority, then age) with SKIP LOCKED, so concurrent
 *   claimers never wait on, or both get, the same job. The matching is `CONSTRAINT_CHECKS` of
 *   @aitbc/contracts written over the normalized columns (a test checks that the two agree).
 * - `m` then locks the miner row, only if a job was picked, and re-checks the slot on the latest
 *   row version: polls of the same miner queue up here, so a miner never gets more than its
 *   `concurrency` (a count of RUNNING jobs would come from a stale snapshot and could overshoot).
 *   Job row first, miner row second: the lock order of result/fail/cancel.
 * - `claimed`, `a`, `bump`, `ev` write the lease, the attempt row, the slot and the `running`
 *   event, atomically.
 * A claim that finds nothing therefore locks nothing and commits without a WAL flush (locking the
 * miner first made every empty poll wait for an fsync).
 * The plan matters more than the text: the queue index must be walked in hand-out order, stopping
 * at the first live match, and marking entries of jobs that left the queue dead as it goes. So the
 * miner's attributes are scalar subqueries of `mi` (a join would lose the index order), and the
 * pool disables bitmap scans (database.ts), which would read every entry ever queued, dead ones
 * included, and sort. (A null cuda or price of the miner compares as null: no match.) The cast
 * in `any((select services from mi)::text[])` makes it the array form of ANY: without it
 * PostgreSQL reads `any((select …))` as ANY over a subquery's rows and compares text to text[].
 */
const CLAIM_SQL = `
with mi as (
  select gpus, cuda, models, match_region, price, services
  from miners
  where id = $1 and status = 'ONLINE' and inflight < concurrency
), pick as (
  select j.id from jobs j
  where j.state = 'QUEUED' and j.expires_at > $2 and exists (select 1 from mi)
    and ((j.req_gpu is null and j.req_vram is null) or exists (
      select 1 from jsonb_array_elements((select gpus from mi)) g
      where (j.req_gpu is null or strpos(g->>'key', j.req_gpu) > 0)
        and (j.req_vram is null or (g->>'vram_gb')::float8 >= j.req_vram)))
    and (j.req_cuda is null or j.req_cuda <= (select cuda from mi))
    and j.req_models <@ (select models from mi)
    and (j.req_region is null or j.req_region = (select match_region from mi))
    and (j.req_max_price is null or j.req_max_price >= (select price from mi))
    and (j.req_service is null or j.req_service = any((select services from mi)::text[]))
  order by j.priority desc, j.requested_at, j.id
  limit 1
  for update of j skip locked
), m as (
  select id from miners
  where id = $1 and status = 'ONLINE' and inflight < concurrency and exists (select 1 from pick)
  for update
), claimed as (
  update jobs set state = 'RUNNING', attempt = jobs.attempt + 1, assigned_miner_id = $1,
    lease_id = $3, lease_expires_at = $4, started_at = $2,
    run_deadline_at = $2 + make_interval(secs => jobs.timeout_seconds)
  from pick where jobs.id = pick.id and exists (select 1 from m)
  returning jobs.id, jobs.lease_id, jobs.attempt, jobs.lease_expires_at, jobs.service,
    jobs.payload, jobs.constraints, jobs.client_id, jobs.payload_sha256, jobs.started_at,
    jobs.estimated_price
), a as (
  insert into job_attempts (lease_id, job_id, attempt, miner_id, claimed_at)
  select lease_id, id, attempt, $1, $2 from claimed
), bump as (
  update miners set inflight = inflight + 1 from claimed where miners.id = $1
), ev as (
  insert into job_events (job_id, type, state, at, attempt, miner_id)
  select id, 'running', 'RUNNING', $2, attempt, $1 from claimed
  returning id
)
select claimed.*, (select id::text from ev) as event_id, exists (select 1 from mi) as free_slot
from (select 1) one left join claimed on true`;

/** What a claim got: a job, or none and whether the miner had a free slot to take one. */
export type Claim = { job: AssignedJob; freeSlot: true } | { job: null; freeSlot: boolean };

/**
 * Claims one job for the miner now, without waiting. With no job, `freeSlot` tells why: true
 * means no matching job was left in the queue (for this miner, at this moment); false means the
 * miner was full, draining or offline.
 */
export async function claimJob(ctx: ServiceContext, minerId: string): Promise<Claim> {
  const now = ctx.clock.now();
  const { rows } = await ctx.db.query<
    (ClaimedRow | { [K in keyof ClaimedRow]: null }) & { event_id: string; free_slot: boolean }
  >(CLAIM_SQL, [minerId, now, uuidv7(now), addSeconds(now, ctx.config.heartbeatTimeoutSeconds)]);
  const row = rows[0];
  if (!row || row.id === null) return { job: null, freeSlot: row?.free_slot === true };
  ctx.leases.remember(row.lease_id, minerId, row);
  ctx.events.publish([
    {
      event_id: row.event_id,
      job_id: row.id,
      type: 'running',
      state: 'RUNNING',
      at: now.toISOString(),
      attempt: row.attempt,
      miner_id: minerId,
    },
  ]);
  return { job: toAssignedJob(row), freeSlot: true };
}
