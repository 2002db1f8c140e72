import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CPU_ONLY,
  claim,
  expectAppError,
  leaseOf,
  pollNow,
  pollsWaiting,
  RTX_4090,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const elapsedSince = (start: number) => performance.now() - start;

describe('long polls', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('answers {job: null} at once with max_wait_seconds 0 when nothing is queued', async () => {
    expect(await registerMiner(t, 'miner1')).toEqual({
      miner_id: 'miner1',
      heartbeat_interval_seconds: 10,
      lease_seconds: 30,
    });
    const start = performance.now();
    expect(await t.as('miner1').miners.poll({ max_wait_seconds: 0 })).toEqual({ job: null });
    expect(elapsedSince(start)).toBeLessThan(1000);
  });

  it('hands a waiting poll the job submitted while it waits, long before its max wait', async () => {
    await registerMiner(t, 'miner1');
    const waiting = pollsWaiting(t);
    const start = performance.now();
    const poll = t.as('miner1').miners.poll({ max_wait_seconds: 5 });
    await waiting;
    const job = await submitJob(t);
    expect((await poll).job?.job_id).toBe(job.job_id);
    expect(elapsedSince(start)).toBeLessThan(2500);
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
  });

  it('wakes the waiting miner that can run the job, not the one that waited first', async () => {
    await registerMiner(t, 'miner2', CPU_ONLY);
    await registerMiner(t, 'miner3', RTX_4090);
    const waiting = pollsWaiting(t, 2);
    const cpuPoll = t.as('miner2').miners.poll({ max_wait_seconds: 1 });
    const start = performance.now();
    const gpuPoll = t.as('miner3').miners.poll({ max_wait_seconds: 5 });
    await waiting;
    const job = await submitJob(t, { constraints: { gpu: 'nvidia' } });
    expect((await gpuPoll).job?.job_id).toBe(job.job_id);
    expect(elapsedSince(start)).toBeLessThan(2500);
    expect((await cpuPoll).job).toBeNull();
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
  });

  it('wakes a waiting miner that can run a job requeued by a retryable failure', async () => {
    await registerMiner(t, 'miner3', RTX_4090);
    await registerMiner(t, 'miner1', RTX_4090);
    const job = await submitJob(t, { constraints: { gpu: 'nvidia' } });
    const held = await claim(t, 'miner3', job.job_id);
    const waiting = pollsWaiting(t);
    const start = performance.now();
    const poll = t.as('miner1').miners.poll({ max_wait_seconds: 5 });
    await waiting;
    await t.as('miner3').miners.fail({
      ...leaseOf(held),
      error_code: 'OOM',
      error_message: 'retry me',
      retryable: true,
    });
    const handed = (await poll).job;
    expect(handed).toMatchObject({ job_id: job.job_id, attempt: 2 });
    expect(elapsedSince(start)).toBeLessThan(2500);
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
  });

  it('hands a full miner waiting on a poll the next job as soon as its running job is canceled', async () => {
    await registerMiner(t, 'miner1', CPU_ONLY, { concurrency: 1 });
    const first = await submitJob(t);
    await claim(t, 'miner1', first.job_id);
    const second = await submitJob(t);
    const waiting = pollsWaiting(t);
    const start = performance.now();
    const poll = t.as('miner1').miners.poll({ max_wait_seconds: 5 });
    await waiting;
    await t.as('alice').jobs.cancel({ job_id: first.job_id });
    expect((await poll).job?.job_id).toBe(second.job_id);
    expect(elapsedSince(start)).toBeLessThan(2500);
    await t.as('alice').jobs.cancel({ job_id: second.job_id });
  });
});

describe('concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const running = async () =>
    (await t.as('admin').admin.jobs({ state: 'RUNNING', miner_id: 'miner1' })).items.length;
  const inflight = async () =>
    (await t.as('admin').admin.miners({})).items.find((m) => m.miner_id === 'miner1')?.inflight;

  it('gives a miner with concurrency 2 at most 2 jobs, and a slot back on result, fail or cancel', async () => {
    await registerMiner(t, 'miner1', CPU_ONLY, { concurrency: 2 });
    const queued = [];
    for (let i = 0; i < 5; i++) queued.push((await submitJob(t, { payload: { i } })).job_id);

    const polls = await Promise.all(
      Array.from({ length: 5 }, () => t.as('miner1').miners.poll({ max_wait_seconds: 0 })),
    );
    const held = polls.flatMap((p) => (p.job ? [p.job] : []));
    expect(held).toHaveLength(2);
    expect(new Set(held.map((j) => j.job_id)).size).toBe(2);
    expect(await running()).toBe(2);
    expect(await inflight()).toBe(2);
    expect(await pollNow(t, 'miner1')).toBeNull();

    const [a, b] = held as [(typeof held)[0], (typeof held)[0]];
    await t.as('miner1').miners.result({ job_id: a.job_id, lease_id: a.lease_id, result: 1 });
    const c = await pollNow(t, 'miner1');
    expect(c).not.toBeNull();
    expect(await pollNow(t, 'miner1')).toBeNull();

    await t.as('miner1').miners.fail({
      job_id: b.job_id,
      lease_id: b.lease_id,
      error_code: 'E',
      error_message: 'broken',
    });
    const d = await pollNow(t, 'miner1');
    expect(d).not.toBeNull();
    expect(await pollNow(t, 'miner1')).toBeNull();

    await t.as('alice').jobs.cancel({ job_id: c!.job_id });
    const e = await pollNow(t, 'miner1');
    expect(e).not.toBeNull();
    expect(await running()).toBe(2);
    expect(await inflight()).toBe(2);
    // Every job was handed out exactly once.
    expect(new Set([a, b, c, d, e].map((j) => j!.job_id))).toEqual(new Set(queued));
  });

  it('refuses poll, heartbeat and drain from a miner that never registered', async () => {
    const never = t.as('miner3').miners;
    await expectAppError(never.poll({ max_wait_seconds: 0 }), 'MINER_NOT_REGISTERED');
    await expectAppError(never.heartbeat({}), 'MINER_NOT_REGISTERED');
    await expectAppError(never.drain({}), 'MINER_NOT_REGISTERED');
  });
});
