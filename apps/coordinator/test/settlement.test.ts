import type { Receipt } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settlement } from '../src/services/settlement.js';
import {
  CPU_ONLY,
  claim,
  countRows,
  leaseOf,
  pollNow,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Submits, claims and completes one job; returns the lease and the receipt. */
async function completeOne(t: TestApp, metrics?: Record<string, number | string>) {
  const job = await submitJob(t, { priority: 1000 });
  const lease = leaseOf(await claim(t, 'miner1', job.job_id));
  t.clock.advance(3000);
  const { receipt } = await t.as('miner1').miners.result({
    ...lease,
    result: { ok: true },
    ...(metrics ? { metrics } : {}),
  });
  return { lease, receipt };
}

describe('default settlement', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await registerMiner(t, 'miner1');
  });
  afterAll(() => t?.close());

  it('records a PENDING settlement with the receipt units, client and miner', async () => {
    const { receipt } = await completeOne(t, { units: 42, unit_type: 'tokens', price: 0.5 });
    const { rows } = await t.app.services.db.pool.query(
      'select * from settlements where job_id = $1',
      [receipt.job_id],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        receipt_id: receipt.receipt_id,
        job_id: receipt.job_id,
        client_id: 'alice',
        miner_id: 'miner1',
        units: 42,
        unit_type: 'tokens',
        price: 0.5,
        status: 'PENDING',
      }),
    ]);
  });

  it('records the default gpu_seconds without a price, once, however often the result is repeated', async () => {
    const { lease, receipt } = await completeOne(t);
    await t.as('miner1').miners.result({ ...lease, result: { ok: true } });
    await t.as('miner1').miners.result({ ...lease, result: { ok: true } });
    expect(await countRows(t, 'settlements', receipt.job_id)).toBe(1);
    const { rows } = await t.app.services.db.pool.query(
      'select units, unit_type, price from settlements where job_id = $1',
      [receipt.job_id],
    );
    expect(rows).toEqual([{ units: 3, unit_type: 'gpu_seconds', price: null }]);
  });

  it('records every receipt of a burst of concurrent results (written in batches)', async () => {
    await registerMiner(t, 'miner2', CPU_ONLY, { concurrency: 25 });
    await Promise.all(Array.from({ length: 25 }, () => submitJob(t)));
    const claimed = await Promise.all(Array.from({ length: 25 }, () => pollNow(t, 'miner2')));
    const receipts = await Promise.all(
      claimed.map(async (job) => {
        const done = await t.as('miner2').miners.result({ ...leaseOf(job!), result: { ok: 1 } });
        return done.receipt.receipt_id;
      }),
    );
    expect(receipts).toHaveLength(25);
    const { rows } = await t.app.services.db.pool.query<{ receipt_id: string }>(
      'select receipt_id from settlements where receipt_id = any($1::text[])',
      [receipts],
    );
    expect(rows.map((r) => r.receipt_id).sort()).toEqual([...receipts].sort());
  });

  it('recovers, at start-up, the settlement of a receipt whose row a crash lost', async () => {
    const { receipt } = await completeOne(t);
    await t.app.services.db.pool.query('delete from settlements where receipt_id = $1', [
      receipt.receipt_id,
    ]);
    expect(await t.app.services.settlement.recover?.()).toBe(1);
    expect(await countRows(t, 'settlements', receipt.job_id)).toBe(1);
  });
});

describe('a custom settlement', () => {
  const seen: Receipt[] = [];
  let failing = false;
  let t: TestApp;
  beforeAll(async () => {
    const settlement: Settlement = {
      onReceipt: async (receipt) => {
        seen.push(receipt);
        if (failing) throw new Error('ledger down');
      },
    };
    t = await startTestApp({}, { settlement });
    await registerMiner(t, 'miner1');
  });
  afterAll(() => t?.close());

  it('is called exactly once per receipt, with the receipt, and not on replays', async () => {
    const one = await completeOne(t);
    await t.as('miner1').miners.result({ ...one.lease, result: { ok: true } });
    const two = await completeOne(t);
    expect(seen).toEqual([one.receipt, two.receipt]);
    // It replaces the default: nothing was written to the settlements table.
    expect(await countRows(t, 'settlements', one.receipt.job_id)).toBe(0);
  });

  it('does not cost the miner its receipt or the client its result when it fails', async () => {
    failing = true;
    const { receipt } = await completeOne(t);
    expect(seen.at(-1)).toEqual(receipt);
    expect(await t.as('alice').jobs.result({ job_id: receipt.job_id })).toMatchObject({
      state: 'COMPLETED',
      receipt,
    });
  });
});
