import type { Executor } from '@aitbc/miner';
import { JobError } from '@aitbc/miner';
import { abortableDelay } from './abort.js';

/** The longest `sleep_ms` the echo executor honours: one hour, past any sane demo. */
export const MAX_SLEEP_MS = 3_600_000;

/**
 * The catch-all executor (key `'*'`), for plain jobs without a service: the result is the
 * payload. A payload with `sleep_ms` first waits that long (abortably), which is what tests and
 * demos use to have a job that is RUNNING for a while.
 */
export const echoExecutor: Executor = async (job) => {
  const sleepMs = job.payload.sleep_ms;
  if (sleepMs !== undefined) {
    if (typeof sleepMs !== 'number' || !Number.isInteger(sleepMs) || sleepMs < 0) {
      throw new JobError('INVALID_PAYLOAD', 'sleep_ms must be a non-negative integer');
    }
    await abortableDelay(Math.min(sleepMs, MAX_SLEEP_MS), job.signal);
  }
  return { result: job.payload };
};
