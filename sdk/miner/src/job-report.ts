import { Backoff, sleep } from './backoff.js';
import { SHORT_CALL_TIMEOUT_MS } from './constants.js';
import type { MinerStep } from './events.js';
import type { ExecutorOutput } from './executor.js';
import { errorMessage, type Outcome } from './job-outcome.js';
import { type CallOptions, classifyFailure, type FailInput } from './miner-api.js';
import type { Runtime } from './runtime.js';
import type { AssignedJob } from './wire-types.js';

const CALL: CallOptions = { timeoutMs: SHORT_CALL_TIMEOUT_MS };

/**
 * Tells the coordinator how an attempt ended, under its lease, and emits the matching event.
 * Never rejects: every failure becomes an event.
 */
export async function reportOutcome(
  rt: Runtime,
  job: AssignedJob,
  outcome: Outcome,
  startedAt: number,
): Promise<void> {
  switch (outcome.kind) {
    case 'completed':
      return reportResult(rt, job, outcome.output, startedAt);
    case 'failed':
      return reportFailure(rt, job, outcome);
    case 'interrupted':
      if (outcome.reason === 'canceled') return acknowledgeCancel(rt, job);
      if (outcome.reason === 'shutdown') {
        const message = 'the miner shut down before the job finished';
        return reportFailure(rt, job, { code: 'MINER_SHUTDOWN', message, retryable: true });
      }
      // The lease is already gone (or the key refused): nothing can be reported under it.
      if (outcome.reason === 'lease_lost') {
        rt.emit({ type: 'lease_lost', ...eventIds(job), during: 'heartbeat' });
      }
  }
}

async function reportResult(
  rt: Runtime,
  job: AssignedJob,
  { result, metrics }: ExecutorOutput,
  startedAt: number,
): Promise<void> {
  const input = { ...leaseOf(job), result, ...(metrics ? { metrics } : {}) };
  const answer = await deliver(rt, 'result', () => rt.api.result(input, CALL));
  if (answer.ok) {
    const durationMs = Date.now() - startedAt;
    rt.emit({ type: 'job_completed', ...eventIds(job), receipt: answer.value.receipt, durationMs });
  } else if (answer.kind === 'lease_lost') {
    rt.emit({ type: 'lease_lost', ...eventIds(job), during: 'result' });
  } else if (answer.kind === 'rejected') {
    // The coordinator refused the result itself (too large, bad metrics): the job cannot
    // complete, so it fails now instead of holding its lease until the run timeout.
    const message = `the coordinator refused the result: ${errorMessage(answer.error)}`;
    await reportFailure(rt, job, { code: 'RESULT_REJECTED', message, retryable: false });
  }
}

interface Failure {
  code: string;
  message: string;
  retryable: boolean;
}

async function reportFailure(rt: Runtime, job: AssignedJob, failure: Failure) {
  const answer = await deliver(rt, 'fail', () => rt.api.fail(failInput(job, failure), CALL));
  if (answer.ok) {
    rt.emit({ type: 'job_failed', ...eventIds(job), ...failure, jobState: answer.value.job_state });
  } else if (answer.kind === 'lease_lost') {
    rt.emit({ type: 'lease_lost', ...eventIds(job), during: 'fail' });
  }
}

/**
 * The coordinator lists a canceled job in `cancel_job_ids` until the miner reports on it; the
 * report is refused with LEASE_LOST (the job is CANCELED, not RUNNING), which is the expected
 * answer here and not an event of its own.
 */
async function acknowledgeCancel(rt: Runtime, job: AssignedJob) {
  const failure = { code: 'CANCELED', message: 'canceled by the coordinator', retryable: false };
  await deliver(rt, 'fail', () => rt.api.fail(failInput(job, failure), CALL));
  rt.emit({ type: 'job_canceled', ...eventIds(job) });
}

const leaseOf = (job: AssignedJob) => ({ job_id: job.job_id, lease_id: job.lease_id });
const eventIds = (job: AssignedJob) => ({ jobId: job.job_id, leaseId: job.lease_id });

function failInput(job: AssignedJob, failure: Failure): FailInput {
  return {
    ...leaseOf(job),
    error_code: failure.code,
    error_message: failure.message,
    retryable: failure.retryable,
  };
}

type Delivery<T> =
  | { ok: true; value: T }
  | { ok: false; kind: ReturnType<typeof classifyFailure>; error: unknown };

/**
 * One report call, tried again after transient failures for as long as the lease may still be
 * alive (no answered call for `lease_seconds` means it is gone). Giving up earlier would leave
 * the job RUNNING, its lease extended by every heartbeat, until its run timeout. A result is
 * idempotent per lease, so a repeat that reaches the coordinator twice gets the same receipt;
 * a repeated `fail` whose first try was applied answers LEASE_LOST. LEASE_LOST is final.
 */
async function deliver<T>(
  rt: Runtime,
  step: MinerStep,
  call: () => Promise<T>,
): Promise<Delivery<T>> {
  const backoff = new Backoff();
  for (;;) {
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      const kind = classifyFailure(error);
      if (kind === 'lease_lost') return { ok: false, kind, error };
      if (kind === 'unauthorized') {
        rt.fatal(step, error);
        return { ok: false, kind, error };
      }
      const leaseMayLive = Date.now() - rt.lastSignOfLifeAt < rt.leaseMs;
      const retryInMs = kind === 'transient' && leaseMayLive ? backoff.next() : null;
      rt.emit({ type: 'error', step, error, fatal: false, retryInMs });
      if (retryInMs === null) return { ok: false, kind, error };
      await sleep(retryInMs);
    }
  }
}
