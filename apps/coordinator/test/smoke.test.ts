import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('a job from submit to receipt', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('is claimed, completed and receipted', async () => {
    const job = await t.as('alice').jobs.submit({ payload: { n: 1 } });
    await t.as('miner1').miners.register({ capabilities: { gpus: [] }, concurrency: 1 });
    const { job: assigned } = await t.as('miner1').miners.poll({ max_wait_seconds: 0 });
    expect(assigned?.job_id).toBe(job.job_id);
    const { receipt } = await t
      .as('miner1')
      .miners.result({ job_id: job.job_id, lease_id: assigned!.lease_id, result: { ok: true } });
    expect(receipt.client).toBe('alice');
    expect((await t.as('alice').jobs.get({ job_id: job.job_id })).state).toBe('COMPLETED');
  });
});
