import type { Assignment } from '@aitbc/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authenticateApiKey } from '../src/http/authenticate.js';
import { createRequestContext } from '../src/trpc/context.js';
import { appRouter } from '../src/trpc/router.js';
import {
  expectAppError,
  leaseOf,
  type Miner,
  pollNow,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

/**
 * A miner's open push channel, read the way the SSE transport reads it: a value counts as taken
 * once the transport asks for the next one, which `take` does at once (like the transport after
 * writing an event) and `hold` does not (the transport got it but never wrote it).
 */
interface Subscription {
  take(): Promise<Assignment>;
  hold(): Promise<Assignment>;
  /** The transport hangs up: a held value is given back (iterator.return), else the call aborts. */
  end(): Promise<void>;
  /** Resolves true when the server ended the subscription by itself. */
  ended(): Promise<boolean>;
}

async function subscribe(t: TestApp, miner: Miner): Promise<Subscription> {
  const headers = { 'x-api-key': KEYS[miner] };
  const auth = authenticateApiKey(t.app.keyRing, headers);
  const ctx = createRequestContext(t.app.services, auth, headers);
  const abort = new AbortController();
  const caller = appRouter.createCaller(ctx, { signal: abort.signal });
  const iterator = (await caller.miners.assignments())[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<Assignment>> | null = null;
  let held = false;
  const pull = async () => {
    const step = await (pending ?? iterator.next());
    pending = null;
    if (step.done) throw new Error('the subscription ended');
    return step.value;
  };
  return {
    async take() {
      const value = await pull();
      pending = iterator.next();
      pending.catch(() => {});
      return value;
    },
    async hold() {
      const value = await pull();
      held = true;
      return value;
    },
    async end() {
      if (held) await iterator.return?.();
      abort.abort();
      await pending?.catch(() => {});
    },
    ended: async () => (await (pending ?? iterator.next())).done === true,
  };
}

/** Resolves once the miner's channel is open and waiting (nothing to push right now). */
async function waitingChannel(t: TestApp, miner: Miner): Promise<void> {
  const signal = t.app.services.signal;
  const open = () =>
    t.app.services.push.dueForSignOfLife(Number.MAX_SAFE_INTEGER).some((c) => c.minerId === miner);
  while (!open() || signal.waiting === 0) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const jobOf = (a: Assignment) => {
  if (a.type !== 'job') throw new Error(`expected a job, got ${JSON.stringify(a)}`);
  return a.job;
};

describe('miners.assignments (push channel)', () => {
  // A fresh coordinator per test: a subscription or cancel notice left over by one test would
  // otherwise be the first thing the next test's subscription sees.
  let t: TestApp;
  const open: Subscription[] = [];
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    for (const sub of open.splice(0)) await sub.end();
    await t?.close();
  });
  const subscribeTo = async (miner: Miner, app = t) => {
    const sub = await subscribe(app, miner);
    open.push(sub);
    return sub;
  };

  const finish = (miner: Miner, a: Assignment) =>
    t.as(miner).miners.result({ ...leaseOf(jobOf(a)), result: { ok: 1 } });

  it('pushes a job submitted while the miner is subscribed within milliseconds', async () => {
    await registerMiner(t, 'miner1', undefined, { concurrency: 4 });
    const sub = await subscribeTo('miner1');
    await submitJob(t); // the first claim and submit of a fresh database plan their statements
    await sub.take();
    const pushed = sub.take();
    await waitingChannel(t, 'miner1');
    const start = performance.now();
    const job = await submitJob(t);
    const assignment = await pushed;
    // From the submit call (its own insert included) to the job in the miner's hands.
    expect(performance.now() - start).toBeLessThan(100);
    expect(assignment).toMatchObject({ type: 'job', job: { job_id: job.job_id, attempt: 1 } });
  });

  it('pushes the queued jobs at once on subscribing, up to the free concurrency, then one per freed slot', async () => {
    await registerMiner(t, 'miner2', undefined, { concurrency: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submitJob(t, { priority: 500 - i })).job_id);
    const sub = await subscribeTo('miner2');
    const first = await sub.take();
    const second = await sub.take();
    expect([first, second].map((a) => jobOf(a).job_id)).toEqual(ids.slice(0, 2));
    const third = sub.take();
    await waitingChannel(t, 'miner2');
    expect(await t.as('alice').jobs.get({ job_id: ids[2]! })).toMatchObject({ state: 'QUEUED' });
    await finish('miner2', first);
    expect(await third).toMatchObject({ type: 'job', job: { job_id: ids[2] } });
    await sub.end();
    await finish('miner2', second);
    await finish('miner2', await third);
  });

  it('pushes the cancellation of a running job as it happens', async () => {
    await registerMiner(t, 'miner1');
    const job = await submitJob(t);
    const sub = await subscribeTo('miner1');
    const running = jobOf(await sub.take());
    expect(running.job_id).toBe(job.job_id);
    const pushed = sub.take();
    await waitingChannel(t, 'miner1');
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
    expect(await pushed).toEqual({ type: 'cancel', job_id: job.job_id });
    await sub.end();
    // The miner acknowledges the cancel as it does after a heartbeat notice, which ends the notice.
    const ack = { ...leaseOf(running), error_code: 'CANCELED', error_message: 'canceled' };
    await expectAppError(t.as('miner1').miners.fail(ack), 'LEASE_LOST');
  });

  it('gives a claimed job back to the queue when the transport closes before taking it', async () => {
    await registerMiner(t, 'miner1');
    await registerMiner(t, 'miner3');
    const sub = await subscribeTo('miner1');
    const pushed = sub.hold();
    await waitingChannel(t, 'miner1');
    const job = await submitJob(t);
    expect(await pushed).toMatchObject({ type: 'job', job: { job_id: job.job_id } });
    await sub.end(); // handed over, never written: the connection is gone
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toMatchObject({
      state: 'QUEUED',
      attempt: 0,
      assigned_miner_id: null,
    });
    const { rows } = await t.app.services.db.pool.query<{
      type: string;
      error_code: string | null;
    }>('select type, error_code from job_events where job_id = $1 order by id', [job.job_id]);
    expect(rows).toEqual([
      { type: 'queued', error_code: null },
      { type: 'running', error_code: null },
      { type: 'requeued', error_code: 'NOT_DELIVERED' },
    ]);
    const again = await pollNow(t, 'miner3');
    expect(again).toMatchObject({ job_id: job.job_id, attempt: 1 });
    await t.as('miner3').miners.result({ ...leaseOf(again!), result: {} });
  });

  it('keeps one subscription per miner: a second one replaces the first', async () => {
    await registerMiner(t, 'miner1');
    const older = await subscribeTo('miner1');
    const olderEnded = older.ended();
    await waitingChannel(t, 'miner1');
    const newer = await subscribeTo('miner1');
    const pushed = newer.take();
    expect(await olderEnded).toBe(true);
    const job = await submitJob(t);
    expect(await pushed).toMatchObject({ type: 'job', job: { job_id: job.job_id } });
    await newer.end();
    await finish('miner1', await pushed);
  });

  it('counts an open subscription as a sign of life: leases outlive HEARTBEAT_TIMEOUT_SECONDS', async () => {
    await registerMiner(t, 'miner3');
    const job = await submitJob(t);
    const sub = await subscribeTo('miner3');
    const pushed = await sub.take();
    await waitingChannel(t, 'miner3');
    for (let s = 0; s < 4; s++) {
      t.clock.advance(11_000); // past the heartbeat interval (10 s); 44 s > the 30 s lease in all
      const swept = await t.app.sweeper.runOnce();
      expect(swept).toMatchObject({ pushSignsOfLife: 1, offline: 0, requeued: 0 });
    }
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toMatchObject({
      state: 'RUNNING',
      assigned_miner_id: 'miner3',
    });
    await sub.end();
    await finish('miner3', pushed);
  });

  it('refuses a client key, and a miner that has not registered', async () => {
    const headers = { 'x-api-key': KEYS.alice };
    const auth = authenticateApiKey(t.app.keyRing, headers);
    const caller = appRouter.createCaller(createRequestContext(t.app.services, auth, headers));
    await expectAppError(caller.miners.assignments(), 'FORBIDDEN');
    const fresh = await startTestApp(); // knows no miner yet
    try {
      const sub = await subscribe(fresh, 'miner1');
      await expectAppError(sub.take(), 'MINER_NOT_REGISTERED');
    } finally {
      await fresh.close();
    }
  });
});
