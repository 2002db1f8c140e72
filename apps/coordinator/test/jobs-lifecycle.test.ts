import type { JobView } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  expectAppError,
  leaseOf,
  makeJob,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const JOB_VIEW_FIELDS = [
  'job_id',
  'state',
  'service',
  'constraints',
  'priority',
  'attempt',
  'max_attempts',
  'assigned_miner_id',
  'requested_at',
  'started_at',
  'completed_at',
  'expires_at',
  'error',
  'estimated_price',
];

describe('jobs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const get = (jobId: string) => t.as('alice').jobs.get({ job_id: jobId });

  it('answers a submit with a complete QUEUED JobView with the default ttl and attempts', async () => {
    const now = t.clock.now();
    const job = await t.as('alice').jobs.submit({ payload: { prompt: 'hi' } });
    expect(Object.keys(job).sort()).toEqual([...JOB_VIEW_FIELDS].sort());
    expect(job).toStrictEqual({
      job_id: expect.any(String),
      state: 'QUEUED',
      service: null,
      constraints: {},
      priority: 0,
      attempt: 0,
      max_attempts: 3,
      assigned_miner_id: null,
      requested_at: now.toISOString(),
      started_at: null,
      completed_at: null,
      expires_at: new Date(now.getTime() + 900_000).toISOString(),
      error: null,
      estimated_price: null,
    });
    expect(await get(job.job_id)).toStrictEqual(job);
  });

  it('keeps what the client asked for: constraints, priority, ttl and max_attempts', async () => {
    const constraints = { gpu: 'rtx 4090', min_vram_gb: 20, region: 'eu-west' };
    const job = await submitJob(t, { constraints, priority: 7, ttl_seconds: 60, max_attempts: 5 });
    expect(job).toMatchObject({ constraints, priority: 7, max_attempts: 5 });
    expect(Date.parse(job.expires_at) - Date.parse(job.requested_at)).toBe(60_000);
    expect(await get(job.job_id)).toStrictEqual(job);
  });

  it('answers NOT_FOUND for an id that does not exist', async () => {
    await expectAppError(get('01900000-0000-7000-8000-000000000000'), 'NOT_FOUND');
  });

  it('shows a claimed job RUNNING and a finished one COMPLETED, with times', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t, { priority: 1000 });
    await expectAppError(t.as('alice').jobs.result({ job_id: job.job_id }), 'JOB_NOT_READY');
    t.clock.advance(1000);
    const lease = await claim(t, 'miner1', job.job_id);
    const claimedAt = t.clock.now().toISOString();
    expect(await get(job.job_id)).toStrictEqual({
      ...job,
      state: 'RUNNING',
      attempt: 1,
      assigned_miner_id: 'miner1',
      started_at: claimedAt,
    });
    await expectAppError(t.as('alice').jobs.result({ job_id: job.job_id }), 'JOB_NOT_READY');

    t.clock.advance(2000);
    const { receipt } = await t.as('miner1').miners.result({
      ...leaseOf(lease),
      result: { text: 'hello' },
    });
    expect(await get(job.job_id)).toStrictEqual({
      ...job,
      state: 'COMPLETED',
      attempt: 1,
      assigned_miner_id: 'miner1',
      started_at: claimedAt,
      completed_at: t.clock.now().toISOString(),
    });
    expect(await t.as('alice').jobs.result({ job_id: job.job_id })).toStrictEqual({
      job_id: job.job_id,
      state: 'COMPLETED',
      result: { text: 'hello' },
      error: null,
      receipt,
    });
  });
});

describe('miner failures', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await registerMiner(t, 'miner1');
  });
  afterAll(() => t?.close());

  const get = (jobId: string) => t.as('alice').jobs.get({ job_id: jobId });
  const fail = (lease: { job_id: string; lease_id: string }, retryable?: boolean) =>
    t.as('miner1').miners.fail({
      ...lease,
      error_code: 'CUDA_OOM',
      error_message: 'out of memory',
      ...(retryable === undefined ? {} : { retryable }),
    });

  it('fails the job with the miner error code when the failure is not retryable (the default)', async () => {
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    expect(await fail(leaseOf(lease))).toEqual({ status: 'ok', job_state: 'FAILED' });
    const failed = await get(job.job_id);
    expect(failed).toMatchObject({
      state: 'FAILED',
      attempt: 1,
      error: { code: 'CUDA_OOM', message: 'out of memory' },
      completed_at: t.clock.now().toISOString(),
    });
    expect(await t.as('alice').jobs.result({ job_id: job.job_id })).toStrictEqual({
      job_id: job.job_id,
      state: 'FAILED',
      result: null,
      error: { code: 'CUDA_OOM', message: 'out of memory' },
      receipt: null,
    });
  });

  it('requeues a retryable failure while attempts remain; the next claim is attempt 2 with a new lease', async () => {
    const job = await submitJob(t);
    const first = await claim(t, 'miner1', job.job_id);
    expect(await fail(leaseOf(first), true)).toEqual({ status: 'ok', job_state: 'QUEUED' });
    expect(await get(job.job_id)).toMatchObject({
      state: 'QUEUED',
      attempt: 1,
      assigned_miner_id: null,
      started_at: null,
      error: null,
    });
    const second = await claim(t, 'miner1', job.job_id);
    expect(second.attempt).toBe(2);
    expect(second.lease_id).not.toBe(first.lease_id);
    await expectAppError(fail(leaseOf(first), true), 'LEASE_LOST');
    expect((await get(job.job_id)).state).toBe('RUNNING');
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
  });

  it('fails a retryable failure on the last attempt', async () => {
    const job = await submitJob(t, { max_attempts: 2 });
    await fail(leaseOf(await claim(t, 'miner1', job.job_id)), true);
    const last = await claim(t, 'miner1', job.job_id);
    expect(last.attempt).toBe(2);
    expect(await fail(leaseOf(last), true)).toEqual({ status: 'ok', job_state: 'FAILED' });
    expect(await get(job.job_id)).toMatchObject({
      state: 'FAILED',
      attempt: 2,
      error: { code: 'CUDA_OOM' },
    });
  });
});

describe('listing own jobs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function listAll(limit: number) {
    const pages: JobView[][] = [];
    let cursor: string | undefined;
    do {
      const page = await t.as('bob').jobs.list({ limit, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && pages.length < 10);
    return pages;
  }

  it('pages newest first across 3 pages without repeats or gaps', async () => {
    const ids = [];
    // No clock advance: jobs made within the same millisecond must keep their order too.
    for (let i = 0; i < 7; i++) ids.push((await submitJob(t, { payload: { i } }, 'bob')).job_id);
    const pages = await listAll(3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((j) => j.job_id)).toEqual(ids.reverse());
  });

  it('filters by state', async () => {
    await registerMiner(t, 'miner1', { gpus: [] }, { concurrency: 5 });
    const running = await makeJob(t, 'RUNNING');
    const canceled = await makeJob(t, 'CANCELED');
    const queued = await makeJob(t, 'QUEUED');
    const ids = async (state: JobView['state']) =>
      (await t.as('alice').jobs.list({ state })).items.map((j) => j.job_id);
    expect(await ids('RUNNING')).toEqual([running.job.job_id]);
    expect(await ids('CANCELED')).toEqual([canceled.job.job_id]);
    expect(await ids('QUEUED')).toEqual([queued.job.job_id]);
    expect(await ids('COMPLETED')).toEqual([]);
  });

  it('returns 20 by default, at most 100, and rejects limits outside 1..100', async () => {
    for (let i = 0; i < 21; i++) await submitJob(t, {}, 'alice');
    const first = await t.as('alice').jobs.list({});
    expect(first.items).toHaveLength(20);
    expect(first.next_cursor).not.toBeNull();
    const all = await t.as('alice').jobs.list({ limit: 100 });
    expect(all.items).toHaveLength(24);
    expect(all.next_cursor).toBeNull();
    for (const limit of [0, 101]) {
      const err = await expectAppError(t.as('alice').jobs.list({ limit }), 'VALIDATION_FAILED');
      expect(err.issues?.map((i) => i.path)).toEqual(['limit']);
    }
    await expectAppError(t.as('alice').jobs.list({ cursor: '!!' }), 'VALIDATION_FAILED');
  });
});
