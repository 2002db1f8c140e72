import type { JobRequirements } from '@aitbc/contracts';
import type { ServiceContext } from '../services/context.js';
import { toStreamEvent } from '../services/job-events.js';
import { requirementsOf, requirementsReturning } from '../services/requeued-job.js';

/**
 * Ends attempts whose miner went silent or whose run took too long, in one statement per kind:
 * - lease lost (no sign of life for HEARTBEAT_TIMEOUT_SECONDS): back to QUEUED while attempts
 *   remain, else FAILED with LEASE_EXPIRED;
 * - run timeout (`timeout_seconds` since the claim): FAILED with TIMEOUT, whatever the lease.
 * SKIP LOCKED lets several instances sweep at once without doing the same job twice.
 */
const LEASE_FAIL_MESSAGE = 'the miner stopped sending signs of life and no attempts are left';
const TIMEOUT_MESSAGE = 'the job ran longer than its timeout';
const REQUEUED_MESSAGE = 'the miner stopped sending signs of life; the job was queued again';

function endAttemptsSql(kind: 'lease' | 'timeout'): string {
  const due = kind === 'lease' ? 'lease_expires_at <= $1' : 'run_deadline_at <= $1';
  const requeue = kind === 'lease' ? 'j.attempt < j.max_attempts' : 'false';
  const failCode = kind === 'lease' ? 'LEASE_EXPIRED' : 'TIMEOUT';
  const failMessage = kind === 'lease' ? LEASE_FAIL_MESSAGE : TIMEOUT_MESSAGE;
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
      returning j.id, j.state, j.attempt, due.lease_id, due.assigned_miner_id,
        ${requirementsReturning('j')}
    ), a as (
      update job_attempts set ended_at = $1,
        outcome = case when ended.state = 'QUEUED' then 'REQUEUED' else '${kind === 'lease' ? 'LEASE_EXPIRED' : 'TIMEOUT'}' end,
        error_code = '${failCode}'
      from ended where job_attempts.lease_id = ended.lease_id
    ), m as (
      update miners set inflight = greatest(0, inflight - n.count), jobs_failed = jobs_failed + n.count
      from (select assigned_miner_id, count(*) as count from ended group by 1) n
      where miners.id = n.assigned_miner_id
    ), ev as (
      insert into job_events (job_id, type, state, at, attempt, miner_id, error_code, error_message)
      select id, case when state = 'QUEUED' then 'requeued' else 'failed' end, state, $1, attempt,
        assigned_miner_id, '${failCode}',
        case when state = 'QUEUED' then '${REQUEUED_MESSAGE}' else '${failMessage}' end
      from ended
      returning id, job_id
    )
    select ended.*, ev.id::text as event_id from ended join ev on ev.job_id = ended.id`;
}

const LOST_LEASES_SQL = endAttemptsSql('lease');
const TIMED_OUT_SQL = endAttemptsSql('timeout');

interface EndedRow extends JobRequirements {
  id: string;
  state: 'QUEUED' | 'FAILED';
  attempt: number;
  assigned_miner_id: string;
  event_id: string;
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
  for (const [sql, failCode, failMessage] of [
    [LOST_LEASES_SQL, 'LEASE_EXPIRED', LEASE_FAIL_MESSAGE],
    [TIMED_OUT_SQL, 'TIMEOUT', TIMEOUT_MESSAGE],
  ] as const) {
    const { rows } = await ctx.db.query<EndedRow>(sql, [now]);
    ctx.events.publish(
      rows.map((row) =>
        toStreamEvent({
          event_id: row.event_id,
          job_id: row.id,
          type: row.state === 'QUEUED' ? 'requeued' : 'failed',
          state: row.state,
          at: now,
          attempt: row.attempt,
          miner_id: row.assigned_miner_id,
          receipt_id: null,
          error_code: failCode,
          error_message: row.state === 'QUEUED' ? REQUEUED_MESSAGE : failMessage,
        }),
      ),
    );
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
