import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, networkError } from '../test/fake-miner-api.js';
import { GPU, settle, setup } from '../test/miner-setup.js';
import { BACKOFF_INITIAL_MS } from './constants.js';
import { type Executor, JobError, type RunningJob } from './executor.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0); // no jitter: backoff delays are exact
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('createMiner', () => {
  it('registers with the services of its executors, then heartbeats at the interval it was told', async () => {
    const { api, miner } = setup({
      executors: { whisper: async () => ({ result: 1 }), '*': async () => ({ result: 2 }) },
    });
    const registration = await miner.start();
    expect(registration.heartbeat_interval_seconds).toBe(5);
    expect(api.callsOf('register')[0]?.input).toMatchObject({
      capabilities: { ...GPU, services: ['whisper'] },
      concurrency: 1,
    });
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(16_000);
    expect(api.callsOf('heartbeat').map((c) => c.at - t0)).toEqual([5000, 10_000, 15_000]);
    expect(api.callsOf('heartbeat')[0]?.input).toEqual({ inflight: 0 });
    await miner.stop();
  });

  it('backs off a failing poll loop with growing delays and starts over after a success', async () => {
    const { api, miner, ofType } = setup();
    api.failNext('poll', networkError(), networkError(), networkError());
    await miner.start();
    await vi.advanceTimersByTimeAsync(BACKOFF_INITIAL_MS * 7);
    const times = api.callsOf('poll').map((c) => c.at);
    const gaps = times.slice(1, 4).map((t, i) => t - (times[i] as number));
    expect(gaps).toEqual([500, 1000, 2000]);
    expect(ofType('error').map((e) => e.retryInMs)).toEqual([500, 1000, 2000]);

    // The fourth poll succeeded (it is waiting); the next failure starts from the first delay.
    api.failNext('poll', networkError());
    await vi.advanceTimersByTimeAsync(10_000); // the open poll answers null, the next one fails
    expect(ofType('error').at(-1)?.retryInMs).toBe(500);
    await miner.stop();
  });

  it('never runs more jobs than its concurrency and keeps one poll open at most', async () => {
    const running = new Set<string>();
    let peak = 0;
    const finish = new Map<string, () => void>();
    const executor: Executor = async (job) => {
      running.add(job.jobId);
      peak = Math.max(peak, running.size);
      const done = deferred();
      finish.set(job.jobId, done.resolve);
      await done.promise;
      running.delete(job.jobId);
      return { result: job.jobId };
    };
    const { api, miner } = setup({ concurrency: 2, executors: { '*': executor } });
    api.queue({}, {}, {}, {}, {});
    await miner.start();
    await settle();
    expect(running.size).toBe(2);
    expect(miner.inflight()).toBe(2);
    expect(api.callsOf('poll')).toHaveLength(2); // no third poll while both slots are taken

    for (const id of ['job-1', 'job-2', 'job-3', 'job-4', 'job-5']) {
      finish.get(id)?.();
      await settle();
    }
    await settle();
    expect(api.callsOf('result').map((c) => (c.input as { job_id: string }).job_id)).toEqual([
      'job-1',
      'job-2',
      'job-3',
      'job-4',
      'job-5',
    ]);
    expect(peak).toBe(2);
    expect(api.maxOpenPolls).toBe(1);
    await miner.stop();
  });

  it('aborts the signal of a job listed in cancel_job_ids and acknowledges it quietly', async () => {
    let seen: RunningJob | undefined;
    const executor: Executor = (job) => {
      seen = job;
      return new Promise((_, reject) => {
        job.signal.addEventListener('abort', () => reject(job.signal.reason));
      });
    };
    const { api, miner, ofType } = setup({ executors: { '*': executor } });
    const [job] = api.queue({});
    await miner.start();
    await settle();
    expect(seen?.signal.aborted).toBe(false);

    api.cancelJobIds.add(job?.job_id as string);
    await vi.advanceTimersByTimeAsync(5000); // the next heartbeat carries the cancel
    expect(seen?.signal.aborted).toBe(true);
    expect(api.callsOf('fail')[0]?.input).toMatchObject({
      job_id: job?.job_id,
      lease_id: job?.lease_id,
      error_code: 'CANCELED',
      retryable: false,
    });
    expect(ofType('job_canceled')).toHaveLength(1);
    expect(ofType('lease_lost')).toHaveLength(0); // the expected LEASE_LOST answer is no event
    expect(ofType('job_failed')).toHaveLength(0);
    expect(miner.inflight()).toBe(0);
    await miner.stop();
  });

  it('on stop drains: no more polls, the running job finishes and is reported, then heartbeats end', async () => {
    const release = deferred();
    const { api, miner, ofType } = setup({
      executors: {
        '*': async () => {
          await release.promise;
          return { result: 'done' };
        },
      },
    });
    api.queue({});
    await miner.start();
    await settle();
    const stopped = miner.stop();
    await settle();
    expect(api.callsOf('drain')).toHaveLength(1);
    expect(ofType('draining')[0]?.inflight).toBe(1);
    const polls = api.callsOf('poll').length;

    await vi.advanceTimersByTimeAsync(12_000); // heartbeats go on while the job runs
    expect(api.callsOf('heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(api.callsOf('poll')).toHaveLength(polls);
    expect(ofType('stopped')).toHaveLength(0);

    release.resolve();
    await stopped;
    expect(ofType('job_completed')).toHaveLength(1);
    expect(ofType('stopped')).toEqual([{ type: 'stopped', reason: 'stop' }]);
    const beats = api.callsOf('heartbeat').length;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.callsOf('heartbeat')).toHaveLength(beats);
  });

  it('after the grace period aborts the jobs left and fails them retryably (MINER_SHUTDOWN)', async () => {
    let signal: AbortSignal | undefined;
    const { api, miner, ofType } = setup({
      executors: {
        '*': (job) => {
          signal = job.signal;
          return new Promise(() => {}); // ignores its signal entirely
        },
      },
    });
    api.queue({});
    await miner.start();
    await settle();
    const stopped = miner.stop({ graceMs: 2000 });
    await vi.advanceTimersByTimeAsync(1999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    expect(signal?.aborted).toBe(true);
    expect(api.callsOf('fail')[0]?.input).toMatchObject({
      error_code: 'MINER_SHUTDOWN',
      retryable: true,
    });
    expect(ofType('job_failed')[0]).toMatchObject({ code: 'MINER_SHUTDOWN', jobState: 'QUEUED' });
  });

  it('reports a refused result as lease_lost and does not retry it', async () => {
    const { api, miner, ofType } = setup();
    const [job] = api.queue({});
    api.lostLeases.add(job?.lease_id as string);
    await miner.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.callsOf('result')).toHaveLength(1);
    expect(ofType('lease_lost')).toEqual([
      { type: 'lease_lost', jobId: job?.job_id, leaseId: job?.lease_id, during: 'result' },
    ]);
    expect(ofType('job_completed')).toHaveLength(0);
    await miner.stop();
  });

  it('fails jobs with the JobError code, EXECUTOR_ERROR for other throws, UNSUPPORTED_SERVICE without an executor', async () => {
    const { api, miner, ofType } = setup({
      concurrency: 3,
      executors: {
        flaky: async () => {
          throw new JobError('GPU_BUSY', 'try later', { retryable: true });
        },
        '*': async () => {
          throw new Error('boom');
        },
      },
    });
    api.queue({ service: 'flaky' }, {}, { service: 'blender' });
    await miner.start();
    await settle();
    const failures = ofType('job_failed').map((e) => [e.code, e.retryable, e.message]);
    expect(failures).toEqual([
      ['GPU_BUSY', true, 'try later'],
      ['EXECUTOR_ERROR', false, 'boom'],
      ['UNSUPPORTED_SERVICE', false, 'this miner has no executor for service blender'],
    ]);
    await miner.stop();
  });

  it('refuses a concurrency outside 1..256', () => {
    expect(() => setup({ concurrency: 0 })).toThrow(RangeError);
    expect(() => setup({ concurrency: 257 })).toThrow(RangeError);
  });
});
