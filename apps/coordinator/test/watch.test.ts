import type { JobStreamEvent } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Caller,
  claim,
  expectAppError,
  leaseOf,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The event of a `tracked(id, event)` envelope (createCaller yields the envelope). */
const unwrap = (item: unknown): JobStreamEvent =>
  (Array.isArray(item) ? item[1] : item) as JobStreamEvent;

/** Collects a stream until it ends, or until `stop` says so. */
async function collect(
  stream: AsyncIterable<unknown>,
  stop: (events: JobStreamEvent[]) => boolean = () => false,
): Promise<JobStreamEvent[]> {
  const events: JobStreamEvent[] = [];
  for await (const item of stream) {
    events.push(unwrap(item));
    if (stop(events)) break;
  }
  return events;
}

/** Resolves once the hub has a subscriber for this job (the stream has subscribed). */
async function subscribed(t: TestApp, jobId: string): Promise<void> {
  while (!t.app.services.events.wants(jobId)) await new Promise((r) => setImmediate(r));
}

describe('jobs.watch and admin.events', () => {
  let t: TestApp;
  let miner1: Caller;
  beforeAll(async () => {
    t = await startTestApp();
    miner1 = t.as('miner1');
    await registerMiner(t, 'miner1');
    await registerMiner(t, 'miner2');
  });
  afterAll(() => t?.close());

  it('shows queued → running → progress → requeued → running → completed in order, then ends', async () => {
    const job = await submitJob(t);
    const watching = collect(await t.as('alice').jobs.watch({ job_id: job.job_id }));
    await subscribed(t, job.job_id);
    const first = await claim(t, 'miner1', job.job_id);
    await miner1.miners.progress({ ...leaseOf(first), progress: 40, message: 'half way' });
    await miner1.miners.fail({
      ...leaseOf(first),
      error_code: 'OOM',
      error_message: 'oom',
      retryable: true,
    });
    const second = await claim(t, 'miner2', job.job_id);
    await t.as('miner2').miners.result({ ...leaseOf(second), result: 1 });

    const events = await watching;
    expect(events.map((e) => e.type)).toEqual([
      'queued',
      'running',
      'progress',
      'requeued',
      'running',
      'completed',
    ]);
    expect(events[2]).toMatchObject({ progress: 40, message: 'half way', state: 'RUNNING' });
    const ids = events.map((e) => BigInt(e.event_id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);

    // Resuming after the third event gives exactly the rest; after the last, nothing (it ended).
    const resumed = await collect(
      await t.as('alice').jobs.watch({ job_id: job.job_id, last_event_id: events[2]!.event_id }),
    );
    expect(resumed).toEqual(events.slice(3));
    const viaTransport = await collect(
      await t.as('alice').jobs.watch({ job_id: job.job_id, lastEventId: events[4]!.event_id }),
    );
    expect(viaTransport).toEqual(events.slice(5));
  });

  it("another client's job and a missing one are both NOT_FOUND", async () => {
    const job = await submitJob(t, {}, 'bob');
    await expectAppError(t.as('alice').jobs.watch({ job_id: job.job_id }), 'NOT_FOUND');
    await expectAppError(t.as('alice').jobs.watch({ job_id: 'no-such-job' }), 'NOT_FOUND');
    await expectAppError(t.as('miner1').jobs.watch({ job_id: job.job_id }), 'FORBIDDEN');
    await t.as('bob').jobs.cancel({ job_id: job.job_id });
  });

  it('admin.events: live from now, or after last_event_id', async () => {
    const before = await submitJob(t);
    const queuedEvents = await collect(
      await t.as('alice').jobs.watch({ job_id: before.job_id }),
      (e) => e.length === 1,
    );
    const live = collect(await t.as('admin').admin.events({}), (e) => e.length === 2);
    while (!t.app.services.events.wants('any-job')) await new Promise((r) => setImmediate(r));
    const later = await submitJob(t);
    await t.as('alice').jobs.cancel({ job_id: later.job_id });
    expect((await live).map((e) => [e.job_id, e.type])).toEqual([
      [later.job_id, 'queued'],
      [later.job_id, 'canceled'],
    ]);

    const resumed = await collect(
      await t.as('admin').admin.events({ last_event_id: queuedEvents[0]!.event_id }),
      (e) => e.length === 2,
    );
    expect(resumed.map((e) => [e.job_id, e.type])).toEqual([
      [later.job_id, 'queued'],
      [later.job_id, 'canceled'],
    ]);
    await expectAppError(t.as('alice').admin.events({}), 'FORBIDDEN');
    await t.as('alice').jobs.cancel({ job_id: before.job_id });
  });

  it('throttles a burst of 20 progress reports to at most 3 events, and delivers the last', async () => {
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    const watching = collect(await t.as('alice').jobs.watch({ job_id: job.job_id }), (e) =>
      e.some((x) => x.progress === 20),
    );
    await subscribed(t, job.job_id);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        miner1.miners.progress({ ...leaseOf(lease), progress: i + 1 }),
      ),
    );
    const progress = (await watching).filter((e) => e.type === 'progress');
    expect(progress.length).toBeLessThanOrEqual(3);
    expect(progress.at(-1)?.progress).toBe(20);
    await miner1.miners.result({ ...leaseOf(lease), result: 1 });
    const { rows } = await t.app.services.db.pool.query(
      `select progress from job_events where job_id = $1 and type = 'progress' order by id`,
      [job.job_id],
    );
    expect(rows.length).toBeLessThanOrEqual(3);
    expect(rows.at(-1)?.progress).toBe(20);
  });

  it('progress is fenced like a result and extends the lease', async () => {
    const job = await submitJob(t);
    const lease = await claim(t, 'miner1', job.job_id);
    await expectAppError(
      miner1.miners.progress({ job_id: job.job_id, lease_id: 'not-the-lease', progress: 1 }),
      'LEASE_LOST',
    );
    await expectAppError(
      t.as('miner2').miners.progress({ ...leaseOf(lease), progress: 1 }),
      'LEASE_LOST',
    );
    await expectAppError(
      miner1.miners.progress({ job_id: 'no-such-job', lease_id: lease.lease_id, progress: 1 }),
      'NOT_FOUND',
    );

    t.clock.advance(20_000);
    await registerMiner(t, 'miner1'); // alive, but registering does not touch this lease's end
    await miner1.miners.progress({ ...leaseOf(lease), progress: 50 });
    t.clock.advance(20_000); // 40 s since the claim: past the first lease, inside the extended one
    await registerMiner(t, 'miner1');
    await t.app.sweeper.runOnce();
    expect((await t.as('alice').jobs.get({ job_id: job.job_id })).state).toBe('RUNNING');

    await t.as('alice').jobs.cancel({ job_id: job.job_id });
    await expectAppError(miner1.miners.progress({ ...leaseOf(lease), progress: 60 }), 'LEASE_LOST');
  });
});
