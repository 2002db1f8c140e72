import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAppError,
  leaseOf,
  type MadeJob,
  makeJob,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

describe('tenant isolation and roles', () => {
  let t: TestApp;
  let completed: MadeJob;
  beforeAll(async () => {
    t = await startTestApp();
    await registerMiner(t, 'miner1', { gpus: [] }, { concurrency: 5 });
    completed = await makeJob(t, 'COMPLETED');
  });
  afterAll(() => t?.close());

  const UNKNOWN_ID = '01900000-0000-7000-8000-000000000000';

  it("answers NOT_FOUND to bob for every read of alice's job, exactly as for an unknown id", async () => {
    const bob = t.as('bob').jobs;
    const id = { job_id: completed.job.job_id };
    const unknown = { job_id: UNKNOWN_ID };
    const calls = [
      (q: typeof id) => bob.get(q),
      (q: typeof id) => bob.result(q),
      (q: typeof id) => bob.receipt(q),
      (q: typeof id) => bob.receipts(q),
    ];
    for (const call of calls) {
      const theirs = await expectAppError(call(id), 'NOT_FOUND');
      const missing = await expectAppError(call(unknown), 'NOT_FOUND');
      expect(theirs.message.replace(id.job_id, '<id>')).toBe(
        missing.message.replace(UNKNOWN_ID, '<id>'),
      );
    }
    // alice herself can read all of it.
    expect((await t.as('alice').jobs.receipt(id)).client).toBe('alice');
  });

  it("answers NOT_FOUND to bob's cancel of alice's queued job and leaves it queued", async () => {
    const job = await submitJob(t, { priority: -5 });
    await expectAppError(t.as('bob').jobs.cancel({ job_id: job.job_id }), 'NOT_FOUND');
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toStrictEqual(job);
    expect((await t.as('alice').jobs.cancel({ job_id: job.job_id })).state).toBe('CANCELED');
  });

  it("answers NOT_FOUND to bob's cancel of alice's running job and leaves it running", async () => {
    const { job, lease } = await makeJob(t, 'RUNNING');
    await expectAppError(t.as('bob').jobs.cancel({ job_id: job.job_id }), 'NOT_FOUND');
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toStrictEqual(job);
    expect(await t.as('miner1').miners.heartbeat({})).toMatchObject({ cancel_job_ids: [] });
    await t.as('miner1').miners.result({ ...leaseOf(lease!), result: 1 });
  });

  it('lists only your own jobs', async () => {
    const bobs = await submitJob(t, {}, 'bob');
    const listed = await t.as('bob').jobs.list({});
    expect(listed.items.map((j) => j.job_id)).toEqual([bobs.job_id]);
    const alices = await t.as('alice').jobs.list({ limit: 100 });
    expect(alices.items.map((j) => j.job_id)).not.toContain(bobs.job_id);
    expect(alices.items.map((j) => j.job_id)).toContain(completed.job.job_id);
  });

  it('accepts the key as Authorization: Bearer too', async () => {
    const bearer = t.as(null, { authorization: `Bearer ${KEYS.alice}` });
    expect((await bearer.jobs.get({ job_id: completed.job.job_id })).state).toBe('COMPLETED');
  });

  it('refuses calls without a key, or with a key nobody configured, as UNAUTHENTICATED', async () => {
    const payload = { payload: {} };
    await expectAppError(t.as(null).jobs.submit(payload), 'UNAUTHENTICATED');
    await expectAppError(
      t.as(null, { 'x-api-key': 'ck_nobody_000000' }).jobs.submit(payload),
      'UNAUTHENTICATED',
    );
    await expectAppError(
      t.as(null, { authorization: 'Bearer nope-nope' }).admin.stats(),
      'UNAUTHENTICATED',
    );
    await expectAppError(t.as(null).miners.poll({ max_wait_seconds: 0 }), 'UNAUTHENTICATED');
  });

  it('refuses a key of the wrong role as FORBIDDEN', async () => {
    await expectAppError(t.as('miner1').jobs.submit({ payload: {} }), 'FORBIDDEN');
    await expectAppError(t.as('admin').jobs.submit({ payload: {} }), 'FORBIDDEN');
    await expectAppError(t.as('alice').admin.stats(), 'FORBIDDEN');
    await expectAppError(t.as('alice').admin.jobs({}), 'FORBIDDEN');
    await expectAppError(t.as('alice').miners.poll({ max_wait_seconds: 0 }), 'FORBIDDEN');
    await expectAppError(t.as('miner1').admin.miners({}), 'FORBIDDEN');
  });

  it('publishes the receipt keys without a key', async () => {
    expect((await t.as(null).receipts.keys()).keys.length).toBeGreaterThan(0);
  });
});
