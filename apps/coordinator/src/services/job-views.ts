import type { AssignedJob, JobConstraints, JobView } from '@aitbc/contracts';
import type { JobRow } from '../db/entities/index.js';
import type { LeaseFacts } from './lease-book.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function toJobView(job: JobRow): JobView {
  return {
    job_id: job.id,
    state: job.state,
    service: job.service ?? null,
    constraints: job.constraints as JobConstraints,
    priority: job.priority,
    attempt: job.attempt,
    max_attempts: job.maxAttempts,
    assigned_miner_id: job.assignedMinerId ?? null,
    requested_at: job.requestedAt.toISOString(),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    expires_at: job.expiresAt.toISOString(),
    error: job.errorCode ? { code: job.errorCode, message: job.errorMessage ?? '' } : null,
    // The ORM may hand a double over as a string.
    estimated_price: job.estimatedPrice == null ? null : Number(job.estimatedPrice),
  };
}

/** A claimed row as returned by the claim statement (snake_case columns). */
export interface ClaimedRow extends LeaseFacts {
  lease_id: string;
  lease_expires_at: Date;
  payload: Record<string, unknown>;
  constraints: JobConstraints;
}

export function toAssignedJob(row: ClaimedRow): AssignedJob {
  return {
    job_id: row.id,
    lease_id: row.lease_id,
    attempt: row.attempt,
    lease_expires_at: row.lease_expires_at.toISOString(),
    service: row.service,
    payload: row.payload,
    constraints: row.constraints,
  };
}
