import { AitbcError, toAitbcError } from './errors.js';
import { type JobStreamEvent, StreamUnavailable } from './job-stream.js';
import { sleep } from './resilient-fetch.js';
import { isTerminal, type JobView } from './types.js';

export interface WaitOptions {
  /** Give up after this long with AitbcError `WAIT_TIMEOUT`. Default: no limit (every job ends). */
  timeoutMs?: number;
  /** Aborting stops the wait at once; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with the job whenever its state or attempt changed, the first time included. */
  onUpdate?: (job: JobView) => void;
  /** Called with every event of the job's stream (progress included) while it is streamed. */
  onEvent?: (event: JobStreamEvent) => void;
}

/** How the wait learns about the job: its stream, or (when that is unavailable) polling. */
export interface JobSource {
  getJob(signal: AbortSignal): Promise<JobView>;
  watch(signal: AbortSignal): AsyncIterable<JobStreamEvent>;
}

const TERMINAL_EVENT_TYPES: readonly string[] = ['completed', 'failed', 'canceled', 'expired'];

/** Polling starts fast, so a quick job is seen quickly, and slows to once a second. */
export const WAIT_POLL = { firstDelayMs: 100, maxDelayMs: 1000, factor: 1.5 } as const;

/**
 * Resolves with the job once it is terminal. It follows the job's stream (jobs.watch, which
 * resumes by itself after a dropped connection) and reads the job view at each transition; when
 * the coordinator does not serve the stream it polls `getJob` instead.
 */
export async function waitForJob(
  source: JobSource,
  jobId: string,
  options: WaitOptions = {},
): Promise<JobView> {
  const deadline =
    options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const signals = [options.signal, deadline].filter((s): s is AbortSignal => s !== undefined);
  const signal = AbortSignal.any(signals);
  const seen: { last?: JobView } = {};
  const update = (job: JobView) => {
    const { last } = seen;
    if (!last || last.state !== job.state || last.attempt !== job.attempt) options.onUpdate?.(job);
    seen.last = job;
    return job;
  };
  try {
    try {
      return await followStream(source, signal, options, update);
    } catch (error) {
      if (!(error instanceof StreamUnavailable)) throw error;
    }
    for (let delay: number = WAIT_POLL.firstDelayMs; ; delay = nextDelay(delay)) {
      const job = update(await source.getJob(signal));
      if (isTerminal(job.state)) return job;
      await sleep(delay, signal);
    }
  } catch (error) {
    const last = seen.last;
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

async function followStream(
  source: JobSource,
  signal: AbortSignal,
  options: WaitOptions,
  update: (job: JobView) => JobView,
): Promise<JobView> {
  for await (const event of source.watch(signal)) {
    options.onEvent?.(event);
    if (TERMINAL_EVENT_TYPES.includes(event.type)) break;
    // The view is read at each transition only for onUpdate; the stream, not a terminal view
    // read in between, decides the end, so onEvent sees every event up to the terminal one.
    if (event.type !== 'progress' && options.onUpdate) update(await source.getJob(signal));
  }
  return update(await source.getJob(signal));
}

function nextDelay(delay: number): number {
  return Math.min(WAIT_POLL.maxDelayMs, Math.round(delay * WAIT_POLL.factor));
}
