import type { JobStreamEvent } from '@aitbc/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, type JobEventRow, toStreamEvent } from '../src/services/job-events.js';
import { claim, leaseOf, registerMiner, submitJob } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The event log of every transition: what the statements wrote, and what they published. */
describe('job event log', () => {
  let t: TestApp;
  let published: JobStreamEvent[];
  beforeAll(async () => {
    t = await startTestApp();
    t.app.services.events.subscribe(null, {
      event: (e) => published.push(e),
      end: () => {},
    });
  });
  beforeEach(() => {
    published = [];
  });
  afterAll(() => t?.close());

  /** The job's stored events, in id order, as the stream shows them. */
  async function stored(jobId: string): Promise<JobStreamEvent[]> {
    const { rows } = await t.app.services.db.pool.query<JobEventRow>(
      `select ${EVENT_COLUMNS} from job_events where job_id = $1 order by id`,
      [jobId],
    );
    return rows.map(toStreamEvent);
  }

  /** Stored and published agree exactly; ids increase; returns the stored events. */
  async function log(jobId: string): Promise<JobStreamEvent[]> {
    const events = await stored(jobId);
    expect(published.filter((e) => e.job_id === jobId)).toEqual(events);
    const ids = events.map((e) => BigInt(e.event_id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : 1)));
    return events;
  }

  it('submit, claim, retryable fail, claim again, result: queued → running → requeued → running → completed', async () => {
    await registerMiner(t, 'miner1');
    await registerMiner(t, 'miner2');
    const job = await submitJob(t);
    const first = await claim(t, 'miner1', job.job_id);
    await t.as('miner1').miners.fail({
      ...leaseOf(first),
      error_code: 'OOM',
      error_message: 'out of memory',
      retryable: true,
    });
    const second = await claim(t, 'miner2', job.job_id);
    const { receipt } = await t.as('miner2').miners.result({ ...leaseOf(second), result: 'ok' });

    const events = await log(job.job_id);
    expect(events.map((e) => [e.type, e.state, e.attempt, e.miner_id])).toEqual([
      ['queued', 'QUEUED', undefined, undefined],
      ['running', 'RUNNING', 1, 'miner1'],
      ['requeued', 'QUEUED', 1, 'miner1'],
      ['running', 'RUNNING', 2, 'miner2'],
      ['completed', 'COMPLETED', 2, 'miner2'],
    ]);
    expect(events[0]!.at).toBe(job.requested_at);
    expect(events[2]!.error).toEqual({ code: 'OOM', message: 'out of memory' });
    expect(events[4]!.receipt_id).toBe(receipt.receipt_id);
  });

  it('a result whose lease was not handed out here (no LeaseBook note) writes the same event', async () => {
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    t.app.services.leases.take(lease.lease_id, job.job_id, 'miner1'); // forget: the read path
    await t.as('miner1').miners.result({ ...leaseOf(lease), result: 1 });
    expect((await log(job.job_id)).map((e) => e.type)).toEqual(['queued', 'running', 'completed']);
  });

  it('a repeated result and a stale lease write no event', async () => {
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    await t.as('miner1').miners.result({ ...leaseOf(lease), result: 1 });
    await t.as('miner1').miners.result({ ...leaseOf(lease), result: 1 });
    await expect(
      t.as('miner1').miners.fail({ ...leaseOf(lease), error_code: 'X', error_message: 'late' }),
    ).rejects.toThrow();
    expect(await log(job.job_id)).toHaveLength(3);
  });

  it('a non-retryable fail: failed with the miner error', async () => {
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    await t.as('miner1').miners.fail({ ...leaseOf(lease), error_code: 'BAD', error_message: 'no' });
    const last = (await log(job.job_id)).at(-1);
    expect(last).toMatchObject({
      type: 'failed',
      state: 'FAILED',
      attempt: 1,
      miner_id: 'miner1',
      error: { code: 'BAD', message: 'no' },
    });
  });

  it('cancel while queued and while running', async () => {
    const queued = await submitJob(t);
    await t.as('alice').jobs.cancel({ job_id: queued.job_id });
    expect((await log(queued.job_id)).map((e) => e.type)).toEqual(['queued', 'canceled']);

    const running = await submitJob(t);
    await claim(t, 'miner1', running.job_id);
    await t.as('alice').jobs.cancel({ job_id: running.job_id });
    expect((await log(running.job_id)).at(-1)).toMatchObject({
      type: 'canceled',
      state: 'CANCELED',
      attempt: 1,
      miner_id: 'miner1',
    });
  });

  it('an idempotent replay writes no second queued event', async () => {
    const headers = { 'idempotency-key': 'events-1' };
    const job = await t.as('alice', headers).jobs.submit({ payload: { n: 1 } });
    await t.as('alice', headers).jobs.submit({ payload: { n: 1 } });
    expect((await log(job.job_id)).map((e) => e.type)).toEqual(['queued']);
  });

  it('the sweepers: lease lost (requeued, then failed LEASE_EXPIRED), run timeout, expiry', async () => {
    await registerMiner(t, 'miner3', undefined, { concurrency: 3 });
    const lost = await submitJob(t, { max_attempts: 2, priority: 900 });
    const timedOut = await submitJob(t, { timeout_seconds: 5, priority: 800 });
    const expiring = await submitJob(t, { ttl_seconds: 40, constraints: { gpu: 'nvidia' } });
    await claim(t, 'miner3', lost.job_id);
    await claim(t, 'miner3', timedOut.job_id);

    t.clock.advance(10_000);
    await t.app.sweeper.runOnce(); // the run timeout (5 s) has passed, the lease (30 s) has not
    expect((await log(timedOut.job_id)).at(-1)).toMatchObject({
      type: 'failed',
      state: 'FAILED',
      miner_id: 'miner3',
      error: { code: 'TIMEOUT' },
    });

    t.clock.advance(25_000);
    await t.app.sweeper.runOnce(); // miner3 silent for 35 s: its lease is lost
    expect((await log(lost.job_id)).at(-1)).toMatchObject({
      type: 'requeued',
      state: 'QUEUED',
      attempt: 1,
      miner_id: 'miner3',
      error: { code: 'LEASE_EXPIRED' },
    });
    expect((await log(expiring.job_id)).map((e) => e.type)).toEqual(['queued']);

    await registerMiner(t, 'miner3', undefined, { concurrency: 3 });
    await claim(t, 'miner3', lost.job_id);
    t.clock.advance(31_000);
    await t.app.sweeper.runOnce(); // lost again, no attempts left; and the ttl has passed
    expect((await log(lost.job_id)).map((e) => [e.type, e.state, e.attempt])).toEqual([
      ['queued', 'QUEUED', undefined],
      ['running', 'RUNNING', 1],
      ['requeued', 'QUEUED', 1],
      ['running', 'RUNNING', 2],
      ['failed', 'FAILED', 2],
    ]);
    expect((await log(expiring.job_id)).map((e) => [e.type, e.state])).toEqual([
      ['queued', 'QUEUED'],
      ['expired', 'EXPIRED'],
    ]);
  });
});
