import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claim, expectAppError, leaseOf, registerMiner, submitJob } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Sends input the types forbid, as a client that does not use them would. */
const raw = <T>(value: unknown) => value as T;

describe('input validation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  type SubmitArg = Parameters<ReturnType<TestApp['as']>['jobs']['submit']>[0];
  const submitPaths = async (input: unknown) => {
    const err = await expectAppError(
      t.as('alice').jobs.submit(raw<SubmitArg>(input)),
      'VALIDATION_FAILED',
    );
    return err.issues?.map((i) => i.path).sort();
  };

  it.each([
    ['an unknown field', { payload: {}, bogus: 1 }, ['bogus']],
    ['an unknown constraint', { payload: {}, constraints: { vram: 24 } }, ['constraints.vram']],
    ['a missing payload', {}, ['payload']],
    ['a payload that is not an object', { payload: [1, 2] }, ['payload']],
    ['a priority out of range', { payload: {}, priority: 5000 }, ['priority']],
    ['a ttl of 0', { payload: {}, ttl_seconds: 0 }, ['ttl_seconds']],
    ['a fractional timeout', { payload: {}, timeout_seconds: 1.5 }, ['timeout_seconds']],
    ['max_attempts of 0', { payload: {}, max_attempts: 0 }, ['max_attempts']],
    [
      'a negative min_vram_gb',
      { payload: {}, constraints: { min_vram_gb: -1 } },
      ['constraints.min_vram_gb'],
    ],
    [
      'a cuda that is not a version',
      { payload: {}, constraints: { cuda: 'twelve' } },
      ['constraints.cuda'],
    ],
    [
      'a model name that is empty',
      { payload: {}, constraints: { models: ['ok', ' '] } },
      ['constraints.models.1'],
    ],
  ])('rejects a submit with %s, naming the field', async (_name, input, paths) => {
    expect(await submitPaths(input)).toEqual(paths);
  });

  it('lists every offending field at once, and creates no job', async () => {
    expect(await submitPaths({ payload: {}, priority: 5000, ttl_seconds: 0, x: 1 })).toEqual([
      'priority',
      'ttl_seconds',
      'x',
    ]);
    expect((await t.as('alice').jobs.list({})).items).toEqual([]);
  });

  it('rejects miner inputs out of range, naming the field', async () => {
    const register = (input: unknown) =>
      t
        .as('miner1')
        .miners.register(
          raw<Parameters<ReturnType<TestApp['as']>['miners']['register']>[0]>(input),
        );
    const paths = async (p: Promise<unknown>) =>
      (await expectAppError(p, 'VALIDATION_FAILED')).issues?.map((i) => i.path);

    expect(await paths(register({ capabilities: { gpus: [] }, concurrency: 0 }))).toEqual([
      'concurrency',
    ]);
    expect(
      await paths(
        register({ capabilities: { gpus: [{ model: 'A100', vram_gb: 0 }] }, concurrency: 1 }),
      ),
    ).toEqual(['capabilities.gpus.0.vram_gb']);
    expect(
      await paths(register({ capabilities: { gpus: [], cuda: '12.x' }, concurrency: 1 })),
    ).toEqual(['capabilities.cuda']);
    await registerMiner(t, 'miner1');
    expect(await paths(t.as('miner1').miners.poll({ max_wait_seconds: -1 }))).toEqual([
      'max_wait_seconds',
    ]);

    const job = await submitJob(t);
    const lease = leaseOf(await claim(t, 'miner1', job.job_id));
    expect(
      await paths(t.as('miner1').miners.result({ ...lease, result: 1, metrics: { units: -1 } })),
    ).toEqual(['metrics.units']);
    expect(
      await paths(
        t.as('miner1').miners.fail(raw({ ...lease, error_code: '', error_message: 'x' })),
      ),
    ).toEqual(['error_code']);
    // Rejected input changed nothing: the job is still running under the lease.
    expect((await t.as('alice').jobs.get({ job_id: job.job_id })).state).toBe('RUNNING');
    await t.as('miner1').miners.result({ ...lease, result: 1 });
  });
});
