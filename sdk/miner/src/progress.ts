import { PROGRESS_MIN_INTERVAL_MS, SHORT_CALL_TIMEOUT_MS } from './constants.js';
import { classifyFailure } from './miner-api.js';
import type { Runtime } from './runtime.js';
import type { AssignedJob } from './wire-types.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * `job.progress(percent, message?)` of one job. Calls are throttled to one request per
 * PROGRESS_MIN_INTERVAL_MS: a report made sooner replaces the one waiting, so the latest is
 * always sent and a chatty executor costs at most two requests a second. Every failure is
 * swallowed (progress is advisory) except LEASE_LOST: then the job is no longer ours, its signal
 * aborts (`onLeaseLost`) and the call rejects with that error.
 */
export function progressReporter(
  rt: Runtime,
  job: AssignedJob,
  isDone: () => boolean,
  onLeaseLost: () => void,
): (percent: number, message?: string) => Promise<void> {
  let pending: { percent: number; message: string | undefined; waiters: Waiter[] } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let sending = false;
  let lastSentAt = Number.NEGATIVE_INFINITY;

  const schedule = () => {
    if (timer || sending || !pending) return;
    timer = setTimeout(flush, Math.max(0, lastSentAt + PROGRESS_MIN_INTERVAL_MS - Date.now()));
  };

  async function flush(): Promise<void> {
    timer = null;
    const report = pending;
    pending = null;
    if (!report) return;
    if (isDone() || !rt.api.progress) {
      for (const w of report.waiters) w.resolve();
      return;
    }
    sending = true;
    lastSentAt = Date.now();
    const input = { job_id: job.job_id, lease_id: job.lease_id, progress: report.percent };
    try {
      await rt.api.progress(
        report.message === undefined ? input : { ...input, message: report.message },
        {
          timeoutMs: SHORT_CALL_TIMEOUT_MS,
        },
      );
      rt.noteSignOfLife(); // it extended the lease
      for (const w of report.waiters) w.resolve();
    } catch (error) {
      if (classifyFailure(error) === 'lease_lost') {
        onLeaseLost();
        for (const w of report.waiters) w.reject(error);
      } else {
        rt.log.warn('progress report failed (ignored)', {
          jobId: job.job_id,
          error: String(error),
        });
        for (const w of report.waiters) w.resolve();
      }
    } finally {
      sending = false;
      schedule();
    }
  }

  return (percent, message) => {
    if (!Number.isFinite(percent))
      throw new RangeError(`progress must be a number, got ${percent}`);
    const clamped = Math.min(100, Math.max(0, percent));
    const short = message === undefined ? undefined : message.slice(0, 500);
    return new Promise<void>((resolve, reject) => {
      const waiters = [...(pending?.waiters ?? []), { resolve, reject }];
      pending = { percent: clamped, message: short, waiters };
      schedule();
    });
  };
}
