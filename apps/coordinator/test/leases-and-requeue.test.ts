import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  expectAppError,
  leaseOf,
  type Miner,
  pollNow,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** HEARTBEAT_TIMEOUT_SECONDS of the test app, i.e. the lease length. */
const TIMEOUT_MS = 30_000;

describe('leases', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const get = (jobId: string) => t.as('alice').jobs.get({ job_id: jobId });
  const minerStatus = async (miner: Miner) =>
    (await t.as('admin').admin.miners({})).items.find((m) => m.miner_id === miner);

  it('requeues the job of a miner silent past the timeout, for the next miner as attempt 2', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t);
    const first = await claim(t, 'miner1', job.job_id);
    expect(first.attempt).toBe(1);
    expect(first.lease_expires_at).toBe(
      new Date(t.clock.now().getTime() + TIMEOUT_MS).toISOString(),
    );

    t.clock.advance(TIMEOUT_MS + 1000);
    await registerMiner(t, 'miner2'); // alive, unlike miner1
    await t.app.sweeper.runOnce();

    expect(await minerStatus('miner1')).toMatchObject({ status: 'OFFLINE', inflight: 0 });
    expect(await get(job.job_id)).toMatchObject({
      state: 'QUEUED',
      attempt: 1,
      assigned_miner_id: null,
      started_at: null,
      completed_at: null,
      error: null,
    });
    const second = await claim(t, 'miner2', job.job_id);
    expect(second.attempt).toBe(2);
    expect(second.lease_id).not.toBe(first.lease_id);

    // The lost miner comes back: it is ONLINE again, but the job stays with miner2.
    const before = await get(job.job_id);
    const late = { job_id: job.job_id, lease_id: first.lease_id };
    await expectAppError(t.as('miner1').miners.result({ ...late, result: 1 }), 'LEASE_LOST');
    await expectAppError(
      t.as('miner1').miners.fail({ ...late, error_code: 'X', error_message: 'late' }),
      'LEASE_LOST',
    );
    expect(await t.as('miner1').miners.heartbeat({})).toEqual({
      status: 'ONLINE',
      cancel_job_ids: [],
    });
    expect(await get(job.job_id)).toEqual(before);
    expect(before).toMatchObject({ state: 'RUNNING', assigned_miner_id: 'miner2', attempt: 2 });

    const { receipt } = await t
      .as('miner2')
      .miners.result({ ...leaseOf(second), result: { ok: 1 } });
    expect(receipt).toMatchObject({ attempt: 2, provider: 'miner2' });
  });

  it('fails a job with LEASE_EXPIRED once max_attempts leases were lost', async () => {
    const job = await submitJob(t, { max_attempts: 2 });
    for (const attempt of [1, 2]) {
      await registerMiner(t, 'miner1');
      expect((await claim(t, 'miner1', job.job_id)).attempt).toBe(attempt);
      t.clock.advance(TIMEOUT_MS + 1000);
      await t.app.sweeper.runOnce();
    }
    const failed = await get(job.job_id);
    expect(failed).toMatchObject({ state: 'FAILED', attempt: 2 });
    expect(failed.error?.code).toBe('LEASE_EXPIRED');
    expect(failed.completed_at).toBe(t.clock.now().toISOString());
    await registerMiner(t, 'miner1');
    expect(await pollNow(t, 'miner1')).toBeNull();
  });

  it('keeps a job whose miner heartbeats within the timeout, however long it runs', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(TIMEOUT_MS - 5000);
      await t.as('miner1').miners.heartbeat({});
      await t.app.sweeper.runOnce();
    }
    expect(await get(job.job_id)).toMatchObject({ state: 'RUNNING', attempt: 1 });
    expect((await minerStatus('miner1'))?.status).toBe('ONLINE');
    const { receipt } = await t.as('miner1').miners.result({ ...leaseOf(lease), result: 'done' });
    expect(receipt.units).toBe(4 * 25);
  });

  it('counts a re-register as a sign of life that keeps the leases of the jobs it holds', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    t.clock.advance(TIMEOUT_MS - 5000);
    await registerMiner(t, 'miner1', { gpus: [], models: ['new-model'] });
    t.clock.advance(10_000);
    await t.app.sweeper.runOnce();
    expect(await get(job.job_id)).toMatchObject({ state: 'RUNNING', attempt: 1 });
    expect(await minerStatus('miner1')).toMatchObject({ status: 'ONLINE', inflight: 1 });
    await t.as('miner1').miners.result({ ...leaseOf(lease), result: 'ok' });
  });

  it('does not revive a lease that ran out before the sweep: the late result is refused', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    t.clock.advance(TIMEOUT_MS + 1000);
    await t.as('miner1').miners.heartbeat({}); // the miner lives, its lease does not
    await expectAppError(
      t.as('miner1').miners.result({ ...leaseOf(lease), result: 1 }),
      'LEASE_LOST',
    );
    await t.app.sweeper.runOnce();
    expect(await get(job.job_id)).toMatchObject({ state: 'QUEUED', attempt: 1 });
    expect((await minerStatus('miner1'))?.status).toBe('ONLINE');
    expect((await claim(t, 'miner1', job.job_id)).attempt).toBe(2);
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
  });

  it('gives a requeued job a fresh queue TTL, so it is not expired by the time it already ran', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t, { ttl_seconds: 40 });
    await claim(t, 'miner1', job.job_id);
    t.clock.advance(TIMEOUT_MS + 15_000); // past the original expires_at
    await registerMiner(t, 'miner2');
    await t.app.sweeper.runOnce();
    const requeued = await get(job.job_id);
    expect(requeued.state).toBe('QUEUED');
    expect(Date.parse(requeued.expires_at)).toBe(t.clock.now().getTime() + 40_000);
    expect((await claim(t, 'miner2', job.job_id)).attempt).toBe(2);
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
  });

  it('fails a job that runs past its timeout_seconds with TIMEOUT, even while heartbeating', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t, { timeout_seconds: 5 });
    const lease = await claim(t, 'miner1', job.job_id);
    t.clock.advance(3000);
    await t.as('miner1').miners.heartbeat({});
    await t.app.sweeper.runOnce();
    expect((await get(job.job_id)).state).toBe('RUNNING');
    t.clock.advance(3000);
    await t.as('miner1').miners.heartbeat({});
    await t.app.sweeper.runOnce();

    const failed = await get(job.job_id);
    expect(failed).toMatchObject({ state: 'FAILED', attempt: 1 });
    expect(failed.error?.code).toBe('TIMEOUT');
    expect((await minerStatus('miner1'))?.inflight).toBe(0);
    await expectAppError(
      t.as('miner1').miners.result({ ...leaseOf(lease), result: 1 }),
      'LEASE_LOST',
    );
    expect(await get(job.job_id)).toEqual(failed);
  });
});
