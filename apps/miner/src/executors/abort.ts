import { JobError } from '@aitbc/miner';

/**
 * The error an executor throws when its job's signal fires (canceled, lease lost, forced
 * shutdown). Retryable: if the coordinator still counts the attempt, another miner may run it.
 */
export function abortedError(signal: AbortSignal): JobError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  return new JobError('ABORTED', `job aborted: ${reason}`, {
    retryable: true,
    cause: signal.reason,
  });
}

/** Resolves after `ms`, or rejects with `abortedError` as soon as `signal` fires. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
