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

describe('cancel', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const cancel = (jobId: string) => t.as('alice').jobs.cancel({ job_id: jobId });
  const cancelIds = async (miner: Miner) => (await t.as(miner).miners.heartbeat({})).cancel_job_ids;

  it('cancels a queued job, which is then never handed out', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t);
    const canceled = await cancel(job.job_id);
    expect(canceled).toStrictEqual({
      ...job,
      state: 'CANCELED',
      completed_at: t.clock.now().toISOString(),
    });
    expect(await pollNow(t, 'miner1')).toBeNull();
    expect(await t.as('alice').jobs.result({ job_id: job.job_id })).toStrictEqual({
      job_id: job.job_id,
      state: 'CANCELED',
      result: null,
      error: null,
      receipt: null,
    });
  });

  it('cancels a running job: the slot is free at once and the miner is told until it reports', async () => {
    await registerMiner(t, 'miner1', { gpus: [] }, { concurrency: 1 });
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    const next = await submitJob(t);
    expect(await pollNow(t, 'miner1')).toBeNull(); // full

    const canceled = await cancel(job.job_id);
    expect(canceled).toMatchObject({ state: 'CANCELED', attempt: 1, error: null });
    expect(canceled.completed_at).toBe(t.clock.now().toISOString());
    const nextLease = await claim(t, 'miner1', next.job_id);

    expect(await cancelIds('miner1')).toEqual([job.job_id]);
    expect(await cancelIds('miner1')).toEqual([job.job_id]); // until it reports
    await expectAppError(
      t.as('miner1').miners.result({ ...leaseOf(lease), result: 'too late' }),
      'LEASE_LOST',
    );
    expect(await cancelIds('miner1')).toEqual([]);
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toEqual(canceled);
    await expectAppError(t.as('alice').jobs.receipt({ job_id: job.job_id }), 'NOT_FOUND');
    await t.as('miner1').miners.result({ ...leaseOf(nextLease), result: 'ok' });
  });

  it('withdraws the cancel notice when the miner reports a failure on the canceled job', async () => {
    await registerMiner(t, 'miner2');
    const job = await submitJob(t);
    const lease = await claim(t, 'miner2', job.job_id);
    await cancel(job.job_id);
    expect(await cancelIds('miner2')).toEqual([job.job_id]);
    await expectAppError(
      t.as('miner2').miners.fail({ ...leaseOf(lease), error_code: 'ABORTED', error_message: '' }),
      'LEASE_LOST',
    );
    expect(await cancelIds('miner2')).toEqual([]);
    expect((await t.as('alice').jobs.get({ job_id: job.job_id })).state).toBe('CANCELED');
  });

  it('stops announcing a cancel once the lease would have ended', async () => {
    await registerMiner(t, 'miner3');
    const job = await submitJob(t);
    await claim(t, 'miner3', job.job_id);
    t.clock.advance(20_000);
    await cancel(job.job_id);
    t.clock.advance(9_000);
    expect(await cancelIds('miner3')).toEqual([job.job_id]);
    t.clock.advance(2_000); // the lease (claim + 30 s) is over
    expect(await cancelIds('miner3')).toEqual([]);
  });

  it('refuses to cancel a job twice', async () => {
    const job = await submitJob(t);
    const canceled = await cancel(job.job_id);
    t.clock.advance(1000);
    await expectAppError(cancel(job.job_id), 'JOB_TERMINAL');
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toEqual(canceled);
  });
});

describe('drain', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const miner1 = async () =>
    (await t.as('admin').admin.miners({})).items.find((m) => m.miner_id === 'miner1');

  it('gives a draining miner no new jobs but lets it finish the ones it holds', async () => {
    await registerMiner(t, 'miner1', { gpus: [] }, { concurrency: 3 });
    const a = await submitJob(t);
    const b = await submitJob(t);
    const leaseA = await claim(t, 'miner1', a.job_id);
    const leaseB = await claim(t, 'miner1', b.job_id);
    const waiting = await submitJob(t);

    expect(await t.as('miner1').miners.drain({})).toEqual({ status: 'DRAINING', inflight: 2 });
    expect(await miner1()).toMatchObject({ status: 'DRAINING', inflight: 2 });
    expect(await pollNow(t, 'miner1')).toBeNull();
    expect(await t.as('miner1').miners.heartbeat({})).toMatchObject({ status: 'DRAINING' });

    const { receipt } = await t.as('miner1').miners.result({ ...leaseOf(leaseA), result: 1 });
    expect(receipt.job_id).toBe(a.job_id);
    const failed = await t.as('miner1').miners.fail({
      ...leaseOf(leaseB),
      error_code: 'SHUTDOWN',
      error_message: 'draining',
      retryable: true,
    });
    expect(failed.job_state).toBe('QUEUED');
    expect(await t.as('miner1').miners.drain({})).toEqual({ status: 'DRAINING', inflight: 0 });
    expect(await pollNow(t, 'miner1')).toBeNull();
    expect((await t.as('alice').jobs.get({ job_id: waiting.job_id })).state).toBe('QUEUED');

    // Registering again ends the drain; the queue (oldest first) is served again.
    await registerMiner(t, 'miner1', { gpus: [] }, { concurrency: 3 });
    expect((await miner1())?.status).toBe('ONLINE');
    expect((await pollNow(t, 'miner1'))?.job_id).toBe(b.job_id);
    expect((await pollNow(t, 'miner1'))?.job_id).toBe(waiting.job_id);
  });

  it('keeps a draining miner that went OFFLINE draining when it comes back, until it registers', async () => {
    await registerMiner(t, 'miner2');
    await t.as('miner2').miners.drain({});
    t.clock.advance(31_000);
    await t.app.sweeper.runOnce();
    const queued = await submitJob(t, { priority: 1000 });
    expect(
      (await t.as('admin').admin.miners({ status: 'OFFLINE' })).items.map((m) => m.miner_id),
    ).toContain('miner2');
    expect(await t.as('miner2').miners.heartbeat({})).toMatchObject({ status: 'DRAINING' });
    expect(await pollNow(t, 'miner2')).toBeNull();
    await registerMiner(t, 'miner2');
    expect((await pollNow(t, 'miner2'))?.job_id).toBe(queued.job_id);
  });

  // Regression: a draining miner's long poll answered at once, so a miner loop that kept
  // polling spun against the coordinator.
  it('makes a draining miner wait out its long poll, and still gives it nothing', async () => {
    await registerMiner(t, 'miner3');
    await t.as('miner3').miners.drain({});
    await submitJob(t, { priority: 1000 });
    const started = Date.now();
    expect((await t.as('miner3').miners.poll({ max_wait_seconds: 1 })).job).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
