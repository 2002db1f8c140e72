import type { Executor, RunningJob } from '@aitbc/miner';
import { JobError } from '@aitbc/miner';
import { abortableDelay } from './abort.js';

/** The longest `sleep_ms` the echo executor honours: one hour, past any sane demo. */
export const MAX_SLEEP_MS = 3_600_000;

/**
 * The catch-all executor (key `'*'`), for plain jobs without a service: the result is the
 * payload. A payload with `sleep_ms` first waits that long (abortably), which is what tests and
 * demos use to have a job that is RUNNING for a while; it reports its progress as it sleeps.
 */
export const echoExecutor: Executor = async (job) => {
  const sleepMs = job.payload.sleep_ms;
  if (sleepMs !== undefined) {
    if (typeof sleepMs !== 'number' || !Number.isInteger(sleepMs) || sleepMs < 0) {
      throw new JobError('INVALID_PAYLOAD', 'sleep_ms must be a non-negative integer');
    }
    await sleepInSteps(Math.min(sleepMs, MAX_SLEEP_MS), job);
  }
  return { result: job.payload };
};

/** Sleeps of a second or more are cut in ten steps, each reported as progress (10 %, 20 %, …). */
async function sleepInSteps(ms: number, job: RunningJob): Promise<void> {
  const steps = ms >= 1000 ? 10 : 1;
  let slept = 0;
  for (let step = 1; step <= steps; step++) {
    const until = Math.round((ms * step) / steps);
    await abortableDelay(until - slept, job.signal);
    slept = until;
    // Advisory: a failed report must not fail the job (a lost lease aborts the signal anyway).
    if (steps > 1)
      void job.progress((step / steps) * 100, `slept ${slept} of ${ms} ms`).catch(() => {});
  }
}
