import type { JobState } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  expectAppError,
  leaseOf,
  makeJob,
  pollNow,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('expiry', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await registerMiner(t, 'miner1');
  });
  afterAll(() => t?.close());

  const get = (jobId: string) => t.as('alice').jobs.get({ job_id: jobId });

  it('still hands out a queued job just before its ttl ends', async () => {
    const job = await submitJob(t, { ttl_seconds: 10 });
    t.clock.advance(9_999);
    await t.app.sweeper.runOnce();
    const lease = await claim(t, 'miner1', job.job_id);
    await t.as('miner1').miners.result({ ...leaseOf(lease), result: 1 });
  });

  it('never hands out a job past its ttl, even before the sweep, and the sweep expires it', async () => {
    const job = await submitJob(t, { ttl_seconds: 10 });
    t.clock.advance(10_000);
    expect(await pollNow(t, 'miner1')).toBeNull();

    await t.app.sweeper.runOnce();
    // Read without touching the job: the sweep, not a read, made it EXPIRED.
    const expired = await t.as('admin').admin.jobs({ state: 'EXPIRED' });
    expect(expired.items.map((j) => j.job_id)).toEqual([job.job_id]);
    expect(await get(job.job_id)).toStrictEqual({
      ...job,
      state: 'EXPIRED',
      completed_at: t.clock.now().toISOString(),
    });
    expect(await t.as('alice').jobs.result({ job_id: job.job_id })).toMatchObject({
      state: 'EXPIRED',
      result: null,
      receipt: null,
    });
  });

  it('uses the default ttl of 900 s', async () => {
    const job = await submitJob(t);
    t.clock.advance(899_000);
    await t.app.sweeper.runOnce();
    expect((await get(job.job_id)).state).toBe('QUEUED');
    t.clock.advance(1_000);
    await t.app.sweeper.runOnce();
    expect((await get(job.job_id)).state).toBe('EXPIRED');
  });

  it.each<JobState>(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'])(
    'never changes a %s job again',
    async (state) => {
      await registerMiner(t, 'miner1');
      const { job, lease } = await makeJob(t, state);
      const before = await get(job.job_id);
      await expectAppError(t.as('alice').jobs.cancel({ job_id: job.job_id }), 'JOB_TERMINAL');
      if (lease) {
        const held = leaseOf(lease);
        // A COMPLETED job answers its own lease's result with the stored receipt (receipts.test).
        if (state !== 'COMPLETED')
          await expectAppError(t.as('miner1').miners.result({ ...held, result: 2 }), 'LEASE_LOST');
        await expectAppError(
          t
            .as('miner1')
            .miners.fail({ ...held, error_code: 'X', error_message: '', retryable: true }),
          'LEASE_LOST',
        );
      }
      t.clock.advance(3_600_000);
      await registerMiner(t, 'miner1');
      await t.app.sweeper.runOnce();
      expect(await pollNow(t, 'miner1')).toBeNull();
      expect(await get(job.job_id)).toEqual(before);
    },
  );
});
