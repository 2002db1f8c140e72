import type { JobRequirements } from '@aitbc/contracts';
import type { ServiceContext } from '../services/context.js';
import { requirementsOf, requirementsReturning } from '../services/requeued-job.js';

/**
 * Ends attempts whose miner went silent or whose run took too long, in one statement per kind:
 * - lease lost (no sign of life for HEARTBEAT_TIMEOUT_SECONDS): back to QUEUED while attempts
 *   remain, else FAILED with LEASE_EXPIRED;
 * - run timeout (`timeout_seconds` since the claim): FAILED with TIMEOUT, whatever the lease.
 * SKIP LOCKED lets several instances sweep at once without doing the same job twice.
 */
function endAttemptsSql(kind: 'lease' | 'timeout'): string {
  const due = kind === 'lease' ? 'lease_expires_at <= $1' : 'run_deadline_at <= $1';
  const requeue = kind === 'lease' ? 'j.attempt < j.max_attempts' : 'false';
  const failCode = kind === 'lease' ? 'LEASE_EXPIRED' : 'TIMEOUT';
  const failMessage =
    kind === 'lease'
      ? 'the miner stopped sending signs of life and no attempts are left'
      : 'the job ran longer than its timeout';
  return `
    with due as (
      select id, lease_id, assigned_miner_id from jobs
      where state = 'RUNNING' and ${due}
      order by id limit 500
      for update skip locked
    ), ended as (
      update jobs j set
        state = case when ${requeue} then 'QUEUED' else 'FAILED' end,
        lease_id = case when ${requeue} then null else j.lease_id end,
        assigned_miner_id = case when ${requeue} then null else j.assigned_miner_id end,
        lease_expires_at = case when ${requeue} then null else j.lease_expires_at end,
        started_at = case when ${requeue} then null else j.started_at end,
        run_deadline_at = case when ${requeue} then null else j.run_deadline_at end,
        expires_at = case when ${requeue} then $1 + make_interval(secs => j.ttl_seconds) else j.expires_at end,
        completed_at = case when ${requeue} then null else $1 end,
        error_code = case when ${requeue} then null else '${failCode}' end,
        error_message = case when ${requeue} then null else '${failMessage}' end
      from due where j.id = due.id
      returning j.id, j.state, due.lease_id, due.assigned_miner_id, ${requirementsReturning('j')}
    ), a as (
      update job_attempts set ended_at = $1,
        outcome = case when ended.state = 'QUEUED' then 'REQUEUED' else '${kind === 'lease' ? 'LEASE_EXPIRED' : 'TIMEOUT'}' end,
        error_code = '${failCode}'
      from ended where job_attempts.lease_id = ended.lease_id
    ), m as (
      update miners set inflight = greatest(0, inflight - n.count), jobs_failed = jobs_failed + n.count
      from (select assigned_miner_id, count(*) as count from ended group by 1) n
      where miners.id = n.assigned_miner_id
    )
    select * from ended`;
}

const LOST_LEASES_SQL = endAttemptsSql('lease');
const TIMED_OUT_SQL = endAttemptsSql('timeout');

interface EndedRow extends JobRequirements {
  id: string;
  state: 'QUEUED' | 'FAILED';
  assigned_miner_id: string;
}

export interface LeaseSweepResult {
  offline: number;
  requeued: number;
  failed: number;
}

export async function sweepLeases(ctx: ServiceContext): Promise<LeaseSweepResult> {
  const now = ctx.clock.now();
  const silentSince = new Date(now.getTime() - ctx.config.heartbeatTimeoutSeconds * 1000);
  const offline = await ctx.db.query(
    `update miners set status = 'OFFLINE' where status <> 'OFFLINE' and last_seen_at <= $1`,
    [silentSince],
  );
  const result: LeaseSweepResult = { offline: offline.rowCount ?? 0, requeued: 0, failed: 0 };
  for (const sql of [LOST_LEASES_SQL, TIMED_OUT_SQL]) {
    const { rows } = await ctx.db.query<EndedRow>(sql, [now]);
    for (const row of rows) {
      ctx.signal.slotFreed(row.assigned_miner_id);
      if (row.state === 'QUEUED') {
        result.requeued++;
        ctx.signal.jobQueued(requirementsOf(row));
      } else {
        result.failed++;
      }
    }
  }
  return result;
}
