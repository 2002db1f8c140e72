import type { JobView } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  expectAppError,
  leaseOf,
  type MadeJob,
  makeJob,
  RTX_4090,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('admin', () => {
  let t: TestApp;
  let emptyStats: unknown;
  const made: Partial<Record<JobView['state'] | 'BOB', MadeJob['job']>> = {};

  /**
   * One job in each state (two QUEUED, one of them bob's), a completed run of exactly 4 s, and
   * miners in each status: miner1 ONLINE and holding one job, miner2 DRAINING, miner3 OFFLINE.
   */
  beforeAll(async () => {
    t = await startTestApp();
    emptyStats = await t.as('admin').admin.stats();

    await registerMiner(t, 'miner3');
    t.clock.advance(31_000);
    await t.app.sweeper.runOnce();
    await registerMiner(t, 'miner1', RTX_4090, { concurrency: 5, region: 'eu-west' });
    await registerMiner(t, 'miner2');
    await t.as('miner2').miners.drain({});

    const done = await submitJob(t, { priority: 1000 });
    const lease = await claim(t, 'miner1', done.job_id);
    t.clock.advance(4000);
    await t.as('miner1').miners.result({ ...leaseOf(lease), result: 'ok' });
    made.COMPLETED = done;
    for (const state of ['FAILED', 'RUNNING', 'CANCELED', 'EXPIRED'] as const) {
      made[state] = (await makeJob(t, state)).job;
    }
    made.QUEUED = (await makeJob(t, 'QUEUED', { input: { priority: 0 } })).job;
    made.BOB = (await makeJob(t, 'QUEUED', { client: 'bob', input: { priority: 0 } })).job;
  });
  afterAll(() => t?.close());

  it('reports all six job states and three miner statuses, zeros included', () => {
    expect(emptyStats).toStrictEqual({
      total_jobs: 0,
      jobs_by_state: { QUEUED: 0, RUNNING: 0, COMPLETED: 0, FAILED: 0, CANCELED: 0, EXPIRED: 0 },
      queue_depth: 0,
      online_miners: 0,
      miners_by_status: { ONLINE: 0, DRAINING: 0, OFFLINE: 0 },
      avg_job_duration_ms: null,
      receipts_issued: 0,
    });
  });

  it('counts jobs by state, the queue depth, miners by status and the average run time', async () => {
    expect(await t.as('admin').admin.stats()).toStrictEqual({
      total_jobs: 7,
      jobs_by_state: { QUEUED: 2, RUNNING: 1, COMPLETED: 1, FAILED: 1, CANCELED: 1, EXPIRED: 1 },
      queue_depth: 2,
      online_miners: 1,
      miners_by_status: { ONLINE: 1, DRAINING: 1, OFFLINE: 1 },
      avg_job_duration_ms: 4000,
      receipts_issued: 1,
    });
  });

  it('filters jobs by state, client and miner, each with the client id', async () => {
    const ids = async (q: Parameters<ReturnType<TestApp['as']>['admin']['jobs']>[0]) =>
      (await t.as('admin').admin.jobs(q)).items.map((j) => [j.job_id, j.client_id]);
    expect(await ids({ state: 'QUEUED' })).toEqual([
      [made.BOB?.job_id, 'bob'],
      [made.QUEUED?.job_id, 'alice'],
    ]);
    expect(await ids({ client_id: 'bob' })).toEqual([[made.BOB?.job_id, 'bob']]);
    expect(await ids({ miner_id: 'miner1' })).toEqual(
      [made.RUNNING, made.FAILED, made.COMPLETED].map((j) => [j?.job_id, 'alice']),
    );
    expect(await ids({ state: 'RUNNING', miner_id: 'miner2' })).toEqual([]);
    expect(await ids({ client_id: 'bob', state: 'COMPLETED' })).toEqual([]);
  });

  it('pages through every job, newest first, without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await t.as('admin').admin.jobs({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((j) => j.job_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    const created = [made.COMPLETED, made.FAILED, made.RUNNING, made.CANCELED, made.EXPIRED];
    const expected = [...created, made.QUEUED, made.BOB].map((j) => j?.job_id).reverse();
    expect(seen).toEqual(expected);
  });

  it('lists miners with status, inflight and their completed and failed counts', async () => {
    await t.as('miner1').miners.heartbeat({});
    const { items, next_cursor } = await t.as('admin').admin.miners({});
    expect(next_cursor).toBeNull();
    expect(items.map((m) => m.miner_id)).toEqual(['miner1', 'miner2', 'miner3']);
    expect(items[0]).toMatchObject({
      status: 'ONLINE',
      region: 'eu-west',
      concurrency: 5,
      inflight: 1,
      capabilities: RTX_4090,
      last_heartbeat: t.clock.now().toISOString(),
      jobs_completed: 1,
      jobs_failed: 1,
    });
    expect(items[1]).toMatchObject({ status: 'DRAINING', inflight: 0, region: null });
    expect(items[2]).toMatchObject({ status: 'OFFLINE', jobs_completed: 0, jobs_failed: 0 });
  });

  it('filters miners by status and pages them', async () => {
    const offline = await t.as('admin').admin.miners({ status: 'OFFLINE' });
    expect(offline.items.map((m) => m.miner_id)).toEqual(['miner3']);
    const first = await t.as('admin').admin.miners({ limit: 2 });
    expect(first.items.map((m) => m.miner_id)).toEqual(['miner1', 'miner2']);
    const rest = await t.as('admin').admin.miners({ limit: 2, cursor: first.next_cursor! });
    expect(rest).toMatchObject({ items: [{ miner_id: 'miner3' }], next_cursor: null });
    await expectAppError(t.as('admin').admin.miners({ cursor: '!!' }), 'VALIDATION_FAILED');
  });
});
