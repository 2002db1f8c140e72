import { JobError } from '@aitbc/miner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeRunningJob } from '../testing/running-job.js';
import { echoExecutor } from './echo.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('echoExecutor', () => {
  it('answers with the payload', async () => {
    const payload = { prompt: 'hi', n: [1, 2] };
    await expect(echoExecutor(makeRunningJob({ payload }))).resolves.toEqual({ result: payload });
  });

  it('sleeps sleep_ms before echoing', async () => {
    vi.useFakeTimers();
    let done = false;
    const run = echoExecutor(makeRunningJob({ payload: { sleep_ms: 5000 } })).then((out) => {
      done = true;
      return out;
    });
    await vi.advanceTimersByTimeAsync(4999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(run).resolves.toEqual({ result: { sleep_ms: 5000 } });
  });

  it('reports its progress in ten steps while it sleeps', async () => {
    vi.useFakeTimers();
    const reports: number[] = [];
    const run = echoExecutor(
      makeRunningJob({
        payload: { sleep_ms: 2000 },
        progress: async (percent) => {
          reports.push(percent);
        },
      }),
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toEqual([10, 20, 30, 40, 50]);
    await vi.advanceTimersByTimeAsync(1000);
    await run;
    expect(reports).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('stops sleeping with a retryable ABORTED error when the job is aborted', async () => {
    const controller = new AbortController();
    const run = echoExecutor(
      makeRunningJob({ payload: { sleep_ms: 600_000 }, signal: controller.signal }),
    );
    controller.abort(new Error('job canceled'));
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect(err).toMatchObject({ code: 'ABORTED', retryable: true });
    expect((err as Error).message).toContain('job canceled');
  });

  it('refuses a sleep_ms that is not a non-negative integer', async () => {
    for (const sleep_ms of [-1, 1.5, '10']) {
      await expect(echoExecutor(makeRunningJob({ payload: { sleep_ms } }))).rejects.toMatchObject({
        code: 'INVALID_PAYLOAD',
        retryable: false,
      });
    }
  });
});
