import { MAX_ERROR_MESSAGE_LENGTH } from './constants.js';
import { type Executor, type ExecutorOutput, JobError, type RunningJob } from './executor.js';

/** How an attempt ended on this side, before it is reported. */
export type Outcome =
  | { kind: 'completed'; output: ExecutorOutput }
  | { kind: 'failed'; code: string; message: string; retryable: boolean }
  | { kind: 'interrupted'; reason: Interruption };

/**
 * Why a job's signal was aborted: the coordinator canceled it, the miner is shutting down, its
 * lease is gone (the coordinator lost sight of this miner), or the miner stopped on a refused key
 * and can report nothing.
 */
export type Interruption = 'canceled' | 'shutdown' | 'lease_lost' | 'abandoned';

/** Runs the executor for the job's service; never rejects. */
export async function execute(
  executors: Readonly<Record<string, Executor>>,
  job: RunningJob,
): Promise<Outcome> {
  const executor = executors[job.service ?? '*'];
  if (!executor) {
    const what = job.service === null ? 'jobs without a service' : `service ${job.service}`;
    return failed('UNSUPPORTED_SERVICE', `this miner has no executor for ${what}`, false);
  }
  try {
    const output = await executor(job);
    if (output?.result === undefined) {
      return failed('EXECUTOR_ERROR', 'the executor returned no result', false);
    }
    return { kind: 'completed', output };
  } catch (err) {
    if (err instanceof JobError) return failed(err.code, err.message, err.retryable);
    return failed('EXECUTOR_ERROR', errorMessage(err), false);
  }
}

export function failed(code: string, message: string, retryable: boolean): Outcome {
  return { kind: 'failed', code, message: shorten(message), retryable };
}

/** A short, single-paragraph message: the job's error is shown to its client. */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return shorten(text || 'executor failed');
}

function shorten(text: string): string {
  return text.length <= MAX_ERROR_MESSAGE_LENGTH
    ? text
    : `${text.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
}
