import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Regression: a heartbeat once updated the miner row and then its jobs in one statement, while a
 * result locks the job row and then the miner row. Under load the two deadlocked and PostgreSQL
 * aborted one of them, which reached the miner as a 500.
 */
describe('heartbeats racing results of the same miner', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('never deadlock', async () => {
    const miner = t.as('miner1');
    await miner.miners.register({ capabilities: { gpus: [] }, concurrency: 8 });
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => t.as('alice').jobs.submit({ payload: { round, i } })),
      );
      const claimed = await Promise.all(
        Array.from({ length: 8 }, () => miner.miners.poll({ max_wait_seconds: 0 })),
      );
      const jobs = claimed.map((c) => c.job).filter((j) => j !== null);
      expect(jobs).toHaveLength(8);
      const outcomes = await Promise.allSettled([
        ...jobs.map((j) =>
          miner.miners.result({ job_id: j.job_id, lease_id: j.lease_id, result: { ok: 1 } }),
        ),
        ...Array.from({ length: 8 }, () => miner.miners.heartbeat({})),
      ]);
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    }
  });
});
