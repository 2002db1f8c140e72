/**
 * The job lifecycle, as data. Every state change the coordinator writes is one of the edges in
 * `TRANSITIONS`; the SQL that performs it guards on the same source states (see `sourcesOf`).
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> QUEUED: submit
 *   QUEUED --> RUNNING: claim
 *   QUEUED --> CANCELED: cancel
 *   QUEUED --> EXPIRED: ttl elapsed
 *   RUNNING --> COMPLETED: result
 *   RUNNING --> FAILED: fail / timeout / lease lost, no attempts left
 *   RUNNING --> QUEUED: lease lost or retryable fail, attempts left
 *   RUNNING --> CANCELED: cancel
 * ```
 */
export const JOB_STATES = [
  'QUEUED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELED',
  'EXPIRED',
] as const;

/**
 * - QUEUED: waiting for a miner; `expires_at` bounds how long.
 * - RUNNING: held by exactly one miner under one lease; `started_at` is the claim time.
 * - COMPLETED: a result was accepted and a receipt signed. Terminal.
 * - FAILED: the miner failed it, it timed out, or it lost its miner with no attempts left. Terminal.
 * - CANCELED: the client canceled it while QUEUED or RUNNING. Terminal.
 * - EXPIRED: nobody claimed it before `expires_at`. Terminal.
 */
export type JobState = (typeof JOB_STATES)[number];

export const TRANSITIONS = {
  QUEUED: ['RUNNING', 'CANCELED', 'EXPIRED'],
  RUNNING: ['COMPLETED', 'FAILED', 'CANCELED', 'QUEUED'],
  COMPLETED: [],
  FAILED: [],
  CANCELED: [],
  EXPIRED: [],
} as const satisfies Record<JobState, readonly JobState[]>;

export const TERMINAL_STATES = JOB_STATES.filter((s) => TRANSITIONS[s].length === 0);

export function isTerminal(state: JobState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function canTransition(from: JobState, to: JobState): boolean {
  return (TRANSITIONS[from] as readonly JobState[]).includes(to);
}

/** The states from which `to` may be entered: the guard of the SQL that writes `to`. */
export function sourcesOf(to: JobState): JobState[] {
  return JOB_STATES.filter((from) => canTransition(from, to));
}

/** What can happen to a job. Lease-bearing events carry the lease they claim to hold. */
export type JobEvent =
  | { type: 'claim' }
  | { type: 'result'; leaseId: string; minerId: string }
  | { type: 'fail'; leaseId: string; minerId: string; retryable: boolean }
  | { type: 'cancel' }
  | { type: 'lease_lost' }
  | { type: 'run_timeout' }
  | { type: 'expire' };

export const JOB_EVENT_TYPES = [
  'claim',
  'result',
  'fail',
  'cancel',
  'lease_lost',
  'run_timeout',
  'expire',
] as const satisfies readonly JobEvent['type'][];

/** The part of a job the lifecycle depends on. */
export interface JobSnapshot {
  state: JobState;
  attempt: number;
  maxAttempts: number;
  leaseId: string | null;
  assignedMinerId: string | null;
  leaseExpiresAt: Date | null;
  expiresAt: Date;
  startedAt: Date | null;
  timeoutSeconds: number;
}

export type Decision =
  | { ok: true; next: JobState; errorCode?: string }
  | { ok: false; reason: 'LEASE_LOST' | 'JOB_TERMINAL' | 'NOT_APPLICABLE' };

/** Whether the job's current lease is held by this miner and still running at `now`. */
export function holdsLease(job: JobSnapshot, leaseId: string, minerId: string, now: Date): boolean {
  return (
    job.state === 'RUNNING' &&
    job.leaseId === leaseId &&
    job.assignedMinerId === minerId &&
    job.leaseExpiresAt !== null &&
    job.leaseExpiresAt.getTime() > now.getTime()
  );
}

/** After an attempt ends without a result: back to the queue while attempts remain. */
export function afterLostAttempt(job: Pick<JobSnapshot, 'attempt' | 'maxAttempts'>): JobState {
  return job.attempt < job.maxAttempts ? 'QUEUED' : 'FAILED';
}

/** The pure rule for one event; the services' conditional writes implement exactly this. */
export function decide(job: JobSnapshot, event: JobEvent, now: Date): Decision {
  const t = now.getTime();
  switch (event.type) {
    case 'claim':
      if (job.state !== 'QUEUED' || job.expiresAt.getTime() <= t) return notApplicable(job);
      return { ok: true, next: 'RUNNING' };
    case 'result':
      if (!holdsLease(job, event.leaseId, event.minerId, now))
        return { ok: false, reason: 'LEASE_LOST' };
      return { ok: true, next: 'COMPLETED' };
    case 'fail':
      if (!holdsLease(job, event.leaseId, event.minerId, now))
        return { ok: false, reason: 'LEASE_LOST' };
      return { ok: true, next: event.retryable ? afterLostAttempt(job) : 'FAILED' };
    case 'cancel':
      if (isTerminal(job.state)) return { ok: false, reason: 'JOB_TERMINAL' };
      return { ok: true, next: 'CANCELED' };
    case 'lease_lost': {
      const expired = job.leaseExpiresAt !== null && job.leaseExpiresAt.getTime() <= t;
      if (job.state !== 'RUNNING' || !expired) return notApplicable(job);
      const next = afterLostAttempt(job);
      return next === 'FAILED'
        ? { ok: true, next, errorCode: 'LEASE_EXPIRED' }
        : { ok: true, next };
    }
    case 'run_timeout': {
      const deadline =
        (job.startedAt?.getTime() ?? Number.POSITIVE_INFINITY) + job.timeoutSeconds * 1000;
      if (job.state !== 'RUNNING' || deadline > t) return notApplicable(job);
      return { ok: true, next: 'FAILED', errorCode: 'TIMEOUT' };
    }
    case 'expire':
      if (job.state !== 'QUEUED' || job.expiresAt.getTime() > t) return notApplicable(job);
      return { ok: true, next: 'EXPIRED' };
  }
}

function notApplicable(job: JobSnapshot): Decision {
  return { ok: false, reason: isTerminal(job.state) ? 'JOB_TERMINAL' : 'NOT_APPLICABLE' };
}
