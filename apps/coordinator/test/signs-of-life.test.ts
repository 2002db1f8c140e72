import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, expectAppError, registerMiner, submitJob } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Concurrent signs of life are recorded together; each miner must still get its own answer. */
describe('heartbeats recorded in one batch', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('give every miner its own status and cancel notices, and refuse only the unregistered', async () => {
    await registerMiner(t, 'miner1');
    await registerMiner(t, 'miner2');
    const job = await submitJob(t);
    const held = await claim(t, 'miner1', job.job_id);
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
    await t.as('miner2').miners.drain({});

    const [one, two, three] = await Promise.allSettled([
      t.as('miner1').miners.heartbeat({}),
      t.as('miner2').miners.heartbeat({ metadata: { temperature: 71 } }),
      t.as('miner3').miners.heartbeat({}),
    ]);
    expect(one).toEqual({
      status: 'fulfilled',
      value: { status: 'ONLINE', cancel_job_ids: [held.job_id] },
    });
    expect(two).toEqual({ status: 'fulfilled', value: { status: 'DRAINING', cancel_job_ids: [] } });
    await expectAppError(
      Promise.reject((three as PromiseRejectedResult).reason),
      'MINER_NOT_REGISTERED',
    );
    const { rows } = await t.app.services.db.pool.query(
      'select metadata from miners where id = $1',
      ['miner2'],
    );
    expect(rows[0].metadata).toEqual({ temperature: 71 });
  });

  it('extend the leases of every miner in the batch', async () => {
    await registerMiner(t, 'miner3', undefined, { concurrency: 2 });
    const a = await claim(t, 'miner3', (await submitJob(t)).job_id);
    t.clock.advance(25_000);
    await Promise.all([t.as('miner3').miners.heartbeat({}), t.as('miner2').miners.heartbeat({})]);
    t.clock.advance(25_000); // 50 s after the claim, 25 s after the heartbeat: lease (30 s) holds
    await t.app.sweeper.runOnce();
    expect((await t.as('alice').jobs.get({ job_id: a.job_id })).state).toBe('RUNNING');
  });
});
