import type { MinerCapabilities } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainMiner, registerMiner } from '../src/services/miner-registry.js';
import { expectAppError } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RTX = { model: 'RTX 4090', vram_gb: 24 };
const T4 = { model: 'Tesla T4', vram_gb: 8 };

/** Miners straight through the registry service, so that there can be more than three. */
const MINERS: [id: string, caps: MinerCapabilities, region: string, concurrency: number][] = [
  ['fit-a', { gpus: [RTX], cuda: '12.4', services: ['llm_inference'] }, 'eu-west', 4],
  ['fit-b', { gpus: [RTX], cuda: '12.4', services: ['LLM_Inference'] }, 'EU-West', 2],
  ['too-small', { gpus: [T4], cuda: '12.4', services: ['llm_inference'] }, 'eu-west', 1],
  ['wrong-service', { gpus: [RTX], cuda: '12.4', services: ['image_generation'] }, 'eu-west', 1],
  ['far', { gpus: [RTX], cuda: '12.4', services: ['llm_inference'] }, 'us-east', 1],
  // Fails several checks: counted under each in `checks`, blamed on the first in `excluded_by`.
  ['small-and-far', { gpus: [T4], cuda: '12.4', services: ['llm_inference'] }, 'us-east', 1],
  ['wrong-and-small', { gpus: [T4], services: ['image_generation'] }, 'eu-west', 1],
  ['draining', { gpus: [RTX], cuda: '12.4', services: ['llm_inference'] }, 'eu-west', 8],
];

const LLAMA_13B = {
  service: 'llm_inference',
  payload: { model: 'llama-13b', prompt: 'why is the sky blue?' },
  constraints: { region: 'eu-west' },
};

describe('jobs.explain (dry run of a submit)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    for (const [id, capabilities, region, concurrency] of MINERS)
      await registerMiner(t.app.services, id, { capabilities, region, concurrency });
    await drainMiner(t.app.services, 'draining');
  });
  afterAll(() => t?.close());

  const jobCount = async () =>
    (await t.app.services.db.query<{ n: number }>('select count(*)::int as n from jobs')).rows[0]!
      .n;

  it('counts who passes each check and blames each excluded miner on its first failing check', async () => {
    const before = await jobCount();
    const answer = await t.as('alice').jobs.explain(LLAMA_13B);
    expect(answer).toStrictEqual({
      service: 'llm_inference',
      constraints: { gpu: 'nvidia', min_vram_gb: 16, cuda: '11.8', region: 'eu-west' },
      estimated_price: 0.256,
      online_miners: 7,
      eligible_miners: 2,
      free_slots: 6,
      checks: [
        { constraint: 'service', required: 'offers llm_inference', passing: 5, failing: 2 },
        { constraint: 'gpu', required: 'nvidia GPU with ≥ 16 GB', passing: 4, failing: 3 },
        { constraint: 'cuda', required: 'CUDA ≥ 11.8', passing: 6, failing: 1 },
        { constraint: 'models', required: null, passing: 7, failing: 0 },
        { constraint: 'region', required: 'region eu-west', passing: 5, failing: 2 },
        { constraint: 'max_price', required: null, passing: 7, failing: 0 },
      ],
      excluded_by: [
        { constraint: 'service', miners: 2 },
        { constraint: 'gpu', miners: 2 },
        { constraint: 'region', miners: 1 },
      ],
    });
    const excluded = answer.excluded_by.reduce((n, e) => n + e.miners, 0);
    expect(excluded).toBe(answer.online_miners - answer.eligible_miners);
    expect(await jobCount()).toBe(before);
  });

  it('agrees with the claim: the eligible miners are the ones a real submit goes to', async () => {
    // miner1 gets the eligible hardware, miner2 a GPU that is too small; only miner1 can claim.
    await t.as('miner1').miners.register({
      capabilities: { gpus: [RTX], cuda: '12.4', services: ['llm_inference'] },
      region: 'eu-west',
      concurrency: 1,
    });
    await t.as('miner2').miners.register({
      capabilities: { gpus: [T4], cuda: '12.4', services: ['llm_inference'] },
      region: 'eu-west',
      concurrency: 1,
    });
    const answer = await t.as('alice').jobs.explain(LLAMA_13B);
    expect([answer.online_miners, answer.eligible_miners, answer.free_slots]).toEqual([9, 3, 7]);
    const job = await t.as('alice').jobs.submit({ ...LLAMA_13B, priority: 1000 });
    expect((await t.as('miner2').miners.poll({ max_wait_seconds: 0 })).job).toBeNull();
    expect((await t.as('miner1').miners.poll({ max_wait_seconds: 0 })).job?.job_id).toBe(
      job.job_id,
    );
    const busy = await t.as('alice').jobs.explain(LLAMA_13B);
    expect(busy.free_slots).toBe(6);
    expect(busy.eligible_miners).toBe(3);
  });

  it('without a service: only the client constraints, every service check passes', async () => {
    const answer = await t.as('alice').jobs.explain({
      payload: { n: 1 },
      constraints: { min_vram_gb: 16 },
    });
    expect(answer.service).toBeNull();
    expect(answer.estimated_price).toBeNull();
    expect(answer.constraints).toEqual({ min_vram_gb: 16 });
    expect(answer.checks[0]).toEqual({
      constraint: 'service',
      required: null,
      passing: answer.online_miners,
      failing: 0,
    });
    expect(answer.checks[1]).toMatchObject({ constraint: 'gpu', required: 'any GPU with ≥ 16 GB' });
    expect(answer.excluded_by).toEqual([
      { constraint: 'gpu', miners: answer.online_miners - answer.eligible_miners },
    ]);
  });

  it('refuses what submit refuses, with the same errors', async () => {
    const invalid = { service: 'llm_inference', payload: { model: 'llama-13b', top_k: 500 } };
    const explained = await expectAppError(
      t.as('alice').jobs.explain(invalid),
      'VALIDATION_FAILED',
    );
    const submitted = await expectAppError(t.as('alice').jobs.submit(invalid), 'VALIDATION_FAILED');
    expect(explained.issues).toEqual(submitted.issues);
    expect(explained.issues?.map((i) => i.path).sort()).toEqual(
      ['payload.prompt', 'payload.top_k'].sort(),
    );
    const unknown = { service: 'teleportation', payload: {} };
    await expectAppError(t.as('alice').jobs.explain(unknown), 'NOT_FOUND');
    await expectAppError(
      t.as('alice').jobs.explain({ payload: {}, priority: 5000 }),
      'VALIDATION_FAILED',
    );
    await expectAppError(t.as('miner1').jobs.explain(LLAMA_13B), 'FORBIDDEN');
    await expectAppError(t.as(null).jobs.explain(LLAMA_13B), 'UNAUTHENTICATED');
  });

  it('ignores an Idempotency-Key: nothing is stored, a later submit with the key is not a replay', async () => {
    const keyed = t.as('alice', { 'idempotency-key': 'explain-me' });
    const before = await jobCount();
    await keyed.jobs.explain(LLAMA_13B);
    await keyed.jobs.explain({ payload: { other: true } });
    expect(await jobCount()).toBe(before);
    const job = await keyed.jobs.submit({ payload: { other: true } });
    expect(job.state).toBe('QUEUED');
    expect(await jobCount()).toBe(before + 1);
  });
});
