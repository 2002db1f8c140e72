import type { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../src/trpc/errors.js';
import {
  type Client,
  callerWithContext,
  claim,
  expectAppError,
  registerMiner,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const withKey = (key: string, who: Client = 'alice') =>
    t.as(who, { 'idempotency-key': key }).jobs;
  /** Every job of a client, as the admin sees them (not through the idempotency table). */
  const jobsOf = async (clientId: Client) =>
    (await t.as('admin').admin.jobs({ client_id: clientId, limit: 100 })).items;

  it('answers the same key and the same body with the original job, marked as a replay', async () => {
    const before = (await jobsOf('alice')).length;
    const first = callerWithContext(t, 'alice', { 'idempotency-key': 'same-body' });
    const job = await first.caller.jobs.submit({
      payload: { prompt: 'hi', n: 2 },
      constraints: { gpu: 'any', region: 'eu' },
      priority: 3,
    });
    expect(first.response.status).toBe(201);
    expect(first.response.headers['Idempotent-Replayed']).toBeUndefined();

    // The same JSON value with its keys in another order.
    const second = callerWithContext(t, 'alice', { 'idempotency-key': 'same-body' });
    const replay = await second.caller.jobs.submit({
      priority: 3,
      constraints: { region: 'eu', gpu: 'any' },
      payload: { n: 2, prompt: 'hi' },
    });
    expect(replay).toStrictEqual(job);
    expect(second.response.status).toBe(201);
    expect(second.response.headers['Idempotent-Replayed']).toBe('true');
    expect((await jobsOf('alice')).length).toBe(before + 1);
  });

  it('refuses the same key with a different body, and creates nothing', async () => {
    const job = await withKey('k-diff').submit({ payload: { n: 1 } });
    const before = (await jobsOf('alice')).length;
    await expectAppError(withKey('k-diff').submit({ payload: { n: 2 } }), 'IDEMPOTENCY_KEY_REUSED');
    await expectAppError(
      withKey('k-diff').submit({ payload: { n: 1 }, priority: 1 }),
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect((await jobsOf('alice')).length).toBe(before);
    expect((await withKey('k-diff').submit({ payload: { n: 1 } })).job_id).toBe(job.job_id);
  });

  it('creates exactly one job for 20 concurrent identical submits', async () => {
    const before = (await jobsOf('alice')).length;
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => withKey('k-race').submit({ payload: { race: true } })),
    );
    const ids = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.job_id] : []));
    // The contract lets a duplicate that overlaps the first answer 409 IDEMPOTENCY_IN_PROGRESS.
    const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    for (const reason of refused) {
      expect(toAppError(reason as TRPCError).code).toBe('IDEMPOTENCY_IN_PROGRESS');
    }
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(1);
    const after = await jobsOf('alice');
    expect(after.length).toBe(before + 1);
    expect(after.map((j) => j.job_id)).toContain(ids[0]);
  });

  it('scopes keys to the client: the same key from bob makes bob his own job', async () => {
    const alices = await withKey('shared-key').submit({ payload: { n: 1 } });
    const bobs = await withKey('shared-key', 'bob').submit({ payload: { n: 1 } });
    expect(bobs.job_id).not.toBe(alices.job_id);
    expect((await jobsOf('bob')).map((j) => j.job_id)).toEqual([bobs.job_id]);
    expect((await withKey('shared-key', 'bob').submit({ payload: { n: 1 } })).job_id).toBe(
      bobs.job_id,
    );
    // A different body under bob's key is bob's conflict, whatever alice sent.
    await expectAppError(
      withKey('shared-key', 'bob').submit({ payload: { n: 9 } }),
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('still replays the original job after it ran, and after 25 hours of sweeps', async () => {
    await registerMiner(t, 'miner1');
    const job = await withKey('k-old').submit({ payload: { n: 1 }, priority: 1000 });
    await claim(t, 'miner1', job.job_id);
    const before = (await jobsOf('alice')).length;
    t.clock.advance(25 * 3600 * 1000);
    await registerMiner(t, 'miner1');
    await t.app.sweeper.runOnce();
    const replay = await withKey('k-old').submit({ payload: { n: 1 }, priority: 1000 });
    expect(replay.job_id).toBe(job.job_id);
    expect((await jobsOf('alice')).length).toBe(before);
  });

  it('rejects an empty or over-long key', async () => {
    for (const key of ['', 'k'.repeat(256)]) {
      const err = await expectAppError(withKey(key).submit({ payload: {} }), 'VALIDATION_FAILED');
      expect(err.issues?.map((i) => i.path)).toEqual(['Idempotency-Key']);
    }
  });
});
