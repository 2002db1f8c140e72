import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApiError, networkError } from '../test/fake-miner-api.js';
import { settle, setup } from '../test/miner-setup.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('recovery', () => {
  it('registers again when the coordinator no longer knows the miner', async () => {
    const { api, miner, ofType } = setup();
    await miner.start();
    api.failNext('heartbeat', new FakeApiError('MINER_NOT_REGISTERED', 409));
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.callsOf('register')).toHaveLength(2);
    expect(ofType('registered')).toHaveLength(2);
    await miner.stop();
  });

  it('stops with a fatal error on 401 instead of retrying forever', async () => {
    const { api, miner, ofType } = setup();
    await miner.start();
    api.failNext('heartbeat', new FakeApiError('UNAUTHENTICATED', 401));
    await vi.advanceTimersByTimeAsync(5000);
    await settle();
    expect(ofType('error')).toMatchObject([{ step: 'heartbeat', fatal: true }]);
    expect(ofType('stopped')).toEqual([{ type: 'stopped', reason: 'fatal' }]);
    const calls = api.calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(api.calls).toHaveLength(calls);
  });

  it('aborts running jobs once no call was answered for lease_seconds, and reports nothing for them', async () => {
    let signal: AbortSignal | undefined;
    const { api, miner, ofType } = setup({
      executors: {
        '*': (job) => {
          signal = job.signal;
          return new Promise(() => {});
        },
      },
    });
    const [job] = api.queue({});
    await miner.start();
    await settle();
    // The coordinator becomes unreachable: heartbeats (and polls) fail from now on.
    const down = Array.from({ length: 50 }, networkError);
    api.failNext('heartbeat', ...down);
    api.failNext('poll', ...down);
    await vi.advanceTimersByTimeAsync(14_000);
    expect(signal?.aborted).toBe(false); // within lease_seconds (15 s) of the last answer
    await vi.advanceTimersByTimeAsync(6000);
    expect(signal?.aborted).toBe(true);
    expect(ofType('lease_lost')).toEqual([
      { type: 'lease_lost', jobId: job?.job_id, leaseId: job?.lease_id, during: 'heartbeat' },
    ]);
    expect(api.callsOf('fail')).toHaveLength(0);
    expect(api.callsOf('result')).toHaveLength(0);
    await miner.stop({ graceMs: 0 });
  });

  it('registers again when a heartbeat reports the miner OFFLINE, giving up the jobs it held', async () => {
    let signal: AbortSignal | undefined;
    const { api, miner, ofType } = setup({
      executors: {
        '*': (job) => {
          signal = job.signal;
          return new Promise(() => {});
        },
      },
    });
    api.queue({});
    await miner.start();
    await settle();
    api.status = 'OFFLINE';
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.callsOf('register')).toHaveLength(2);
    expect(signal?.aborted).toBe(true);
    expect(ofType('lease_lost')).toMatchObject([{ during: 'heartbeat' }]);
    await miner.stop({ graceMs: 0 });
  });
  it('retries a result lost to the network until it is accepted', async () => {
    const { api, miner, ofType } = setup();
    api.failNext('result', networkError(), networkError());
    const [job] = api.queue({});
    await miner.start();
    await vi.advanceTimersByTimeAsync(1500); // backoff 500 ms, then 1000 ms
    expect(api.callsOf('result')).toHaveLength(3);
    expect(ofType('error').map((e) => [e.step, e.retryInMs])).toEqual([
      ['result', 500],
      ['result', 1000],
    ]);
    expect(ofType('job_completed').map((e) => e.jobId)).toEqual([job?.job_id]);
    await miner.stop();
  });
});
