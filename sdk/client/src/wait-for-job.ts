import { AitbcError, toAitbcError } from './errors.js';
import { sleep } from './resilient-fetch.js';
import { isTerminal, type JobView } from './types.js';

export interface WaitOptions {
  /** Give up after this long with AitbcError `WAIT_TIMEOUT`. Default: no limit (every job ends). */
  timeoutMs?: number;
  /** Aborting stops the wait at once; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the job whenever its state or attempt changed, the first time included. */
  onUpdate?: (job: JobView) => void;
}

/** Polling starts fast, so a quick job is seen quickly, and slows to once a second. */
export const WAIT_POLL = { firstDelayMs: 100, maxDelayMs: 1000, factor: 1.5 } as const;

/**
 * Resolves with the job once it is terminal. It polls `getJob` for now; the contract's job
 * stream (jobs.watch) can replace the polling behind this same function.
 */
export async function waitForJob(
  getJob: (signal: AbortSignal) => Promise<JobView>,
  jobId: string,
  options: WaitOptions = {},
): Promise<JobView> {
  const deadline =
    options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  const signal = AbortSignal.any(signals);
  let last: JobView | undefined;
  try {
    for (let delay: number = WAIT_POLL.firstDelayMs; ; delay = nextDelay(delay)) {
      const job = await getJob(signal);
      if (!last || last.state !== job.state || last.attempt !== job.attempt)
        options.onUpdate?.(job);
      last = job;
      if (isTerminal(job.state)) return job;
      await sleep(delay, signal);
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (deadline?.aborted) {
      throw new AitbcError({
        code: 'WAIT_TIMEOUT',
        status: 0,
        message: `job ${jobId} still ${last?.state ?? 'unknown'} after ${options.timeoutMs} ms`,
      });
    }
    throw toAitbcError(error);
  }
}

function nextDelay(delay: number): number {
  return Math.min(WAIT_POLL.maxDelayMs, Math.round(delay * WAIT_POLL.factor));
}
