import { AppError, decide, type JobEvent, type JobSnapshot, type JobState } from '@aitbc/contracts';
import type { ServiceContext } from './context.js';

export interface LeasedJobRow {
  id: string;
  client_id: string;
  state: JobState;
  service: string | null;
  attempt: number;
  max_attempts: number;
  lease_id: string | null;
  assigned_miner_id: string | null;
  lease_expires_at: Date | null;
  started_at: Date | null;
  expires_at: Date;
  timeout_seconds: number;
  payload_sha256: string;
  estimated_price: number | null;
}

/** The job as the lifecycle sees it, for `decide`. */
export function snapshotOf(row: LeasedJobRow): JobSnapshot {
  return {
    state: row.state,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    leaseId: row.lease_id,
    assignedMinerId: row.assigned_miner_id,
    leaseExpiresAt: row.lease_expires_at,
    expiresAt: row.expires_at,
    startedAt: row.started_at,
    timeoutSeconds: row.timeout_seconds,
  };
}

export async function loadLeasedJob(ctx: ServiceContext, jobId: string): Promise<LeasedJobRow> {
  const { rows } = await ctx.db.query<LeasedJobRow>(
    `select id, client_id, state, service, attempt, max_attempts, lease_id, assigned_miner_id,
       lease_expires_at, started_at, expires_at, timeout_seconds, payload_sha256, estimated_price
     from jobs where id = $1`,
    [jobId],
  );
  if (!rows[0]) throw new AppError('NOT_FOUND', `job ${jobId} not found`);
  return rows[0];
}

/**
 * Decides a lease-bearing event (result/fail/progress) with the pure lifecycle. On LEASE_LOST the
 * miner has now reported on the job, so its cancel notice (if any) is withdrawn.
 */
export async function requireLease(
  ctx: ServiceContext,
  row: LeasedJobRow,
  event: Extract<JobEvent, { leaseId: string }>,
): Promise<JobState> {
  const decision = decide(snapshotOf(row), event, ctx.clock.now());
  if (decision.ok) return decision.next;
  throw await leaseLost(ctx, row.id, event.leaseId, event.minerId);
}

export async function leaseLost(
  ctx: ServiceContext,
  jobId: string,
  leaseId: string,
  minerId: string,
): Promise<AppError> {
  await ctx.db.query(
    'update job_attempts set cancel_notice_until = null where lease_id = $1 and miner_id = $2 and cancel_notice_until is not null',
    [leaseId, minerId],
  );
  return new AppError(
    'LEASE_LOST',
    `lease ${leaseId} no longer holds job ${jobId}; the job was not changed`,
  );
}
