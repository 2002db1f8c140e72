import type { MinerCapabilities } from '@aitbc/contracts';
import { canonicalSha256 } from '@aitbc/receipts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobSignal, type WakeReason } from '../src/services/job-signal.js';
import {
  claim,
  expectAppError,
  leaseOf,
  pollNow,
  pollsWaiting,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RTX = { model: 'RTX 4090', vram_gb: 24 };
const LLM_MINER: MinerCapabilities = { gpus: [RTX], cuda: '12.4', services: ['llm_inference'] };
const IMAGE_MINER: MinerCapabilities = {
  gpus: [RTX],
  cuda: '12.4',
  services: ['image_generation'],
};
const SMALL_LLM_MINER: MinerCapabilities = {
  gpus: [{ model: 'Tesla T4', vram_gb: 8 }],
  cuda: '12.4',
  services: ['llm_inference'],
};
const LLAMA_13B = { model: 'llama-13b', prompt: 'hello' };

const timeoutOf = async (t: TestApp, jobId: string) =>
  (
    await t.app.services.db.query<{ timeout_seconds: number }>(
      'select timeout_seconds from jobs where id = $1',
      [jobId],
    )
  ).rows[0]!.timeout_seconds;

describe('POST /v1/jobs with a service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('validates the payload against the service schema, issues under payload.', async () => {
    const error = await expectAppError(
      submitJob(t, {
        service: 'llm_inference',
        payload: { model: 'llama-13b', prompt: '', max_tokens: 0, custom_args: '-x' },
      }),
      'VALIDATION_FAILED',
    );
    expect(error.issues?.map((i) => i.path).sort()).toEqual(
      ['payload.custom_args', 'payload.max_tokens', 'payload.prompt'].sort(),
    );
    const missing = await expectAppError(
      submitJob(t, { service: 'speech_recognition', payload: {} }),
      'VALIDATION_FAILED',
    );
    expect(missing.issues?.map((i) => i.path)).toEqual(['payload.audio_url']);
    expect(missing.message).toMatch(/^payload\.audio_url: /);
  });

  it('answers 404 NOT_FOUND for a service the registry does not have', async () => {
    const error = await expectAppError(
      submitJob(t, { service: 'teleportation', payload: {} }),
      'NOT_FOUND',
    );
    expect(error.message).toContain('teleportation');
  });

  it('merges the service needs with the client constraints, the stricter value winning', async () => {
    const stricter = await submitJob(t, {
      service: 'llm_inference',
      payload: LLAMA_13B,
      constraints: { min_vram_gb: 40, region: 'eu-west', cuda: '12.1' },
    });
    expect(stricter.constraints).toEqual({
      gpu: 'nvidia',
      min_vram_gb: 40,
      cuda: '12.1',
      region: 'eu-west',
    });
    const laxer = await submitJob(t, {
      service: 'llm_inference',
      payload: LLAMA_13B,
      constraints: { min_vram_gb: 4, cuda: '10' },
    });
    expect(laxer.constraints).toEqual({ gpu: 'nvidia', min_vram_gb: 16, cuda: '11.8' });
    expect(laxer.service).toBe('llm_inference');
    expect(laxer.estimated_price).toBeCloseTo(0.256, 9);
    expect(await t.as('alice').jobs.get({ job_id: laxer.job_id })).toStrictEqual(laxer);
  });

  it('takes the submitted timeout_seconds, else the service plan', async () => {
    const planned = await submitJob(t, { service: 'llm_inference', payload: LLAMA_13B });
    expect(await timeoutOf(t, planned.job_id)).toBe(300);
    const own = await submitJob(t, {
      service: 'llm_inference',
      payload: LLAMA_13B,
      timeout_seconds: 42,
    });
    expect(await timeoutOf(t, own.job_id)).toBe(42);
    const plain = await submitJob(t);
    expect(await timeoutOf(t, plain.job_id)).toBe(t.app.config.jobTimeoutSeconds);
  });

  it('leaves a job without a service as it was sent', async () => {
    const job = await submitJob(t, { payload: { anything: [1, 2] }, constraints: { gpu: 'amd' } });
    expect(job).toMatchObject({
      service: null,
      constraints: { gpu: 'amd' },
      estimated_price: null,
    });
  });

  it('replays an Idempotency-Key of a service job with the same answer', async () => {
    const keyed = t.as('alice', { 'idempotency-key': 'svc-1' }).jobs;
    const first = await keyed.submit({ service: 'llm_inference', payload: LLAMA_13B });
    const again = await keyed.submit({ service: 'llm_inference', payload: LLAMA_13B });
    expect(again).toStrictEqual(first);
    await expectAppError(
      keyed.submit({ service: 'image_generation', payload: { prompt: 'x' } }),
      'IDEMPOTENCY_KEY_REUSED',
    );
  });
});

describe('service jobs go only to miners that offer the service and have the hardware', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    await registerMiner(t, 'miner1', IMAGE_MINER);
    await registerMiner(t, 'miner2', SMALL_LLM_MINER);
    await registerMiner(t, 'miner3', LLM_MINER);
  });

  it('flows end to end: claim, defaults in the payload, receipt priced by the estimate', async () => {
    const job = await submitJob(t, { service: 'llm_inference', payload: LLAMA_13B });
    expect(await pollNow(t, 'miner1')).toBeNull(); // the right GPU, not the service
    expect(await pollNow(t, 'miner2')).toBeNull(); // the service, a GPU too small
    const assigned = await claim(t, 'miner3', job.job_id);
    expect(assigned.service).toBe('llm_inference');
    expect(assigned.constraints).toEqual({ gpu: 'nvidia', min_vram_gb: 16, cuda: '11.8' });
    expect(assigned.payload).toStrictEqual({
      model: 'llama-13b',
      prompt: 'hello',
      max_tokens: 256,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      repetition_penalty: 1.1,
      stop_sequences: null,
      stream: false,
    });
    const { receipt } = await t
      .as('miner3')
      .miners.result({ ...leaseOf(assigned), result: { text: 'hi' } });
    expect(receipt.service).toBe('llm_inference');
    expect(receipt.price).toBeCloseTo(0.256, 9);
    expect(receipt.payload_sha256).toBe(canonicalSha256(assigned.payload));
  });

  it('a price the miner reports wins over the estimate', async () => {
    const job = await submitJob(t, { service: 'llm_inference', payload: LLAMA_13B });
    const assigned = await claim(t, 'miner3', job.job_id);
    const { receipt } = await t.as('miner3').miners.result({
      ...leaseOf(assigned),
      result: { text: 'hi' },
      metrics: { price: 0.1, units: 77, unit_type: 'tokens' },
    });
    expect(receipt.price).toBe(0.1);
  });

  it('no estimate, no price: a service without one, and a job without a service', async () => {
    await registerMiner(t, 'miner3', { ...LLM_MINER, services: ['speech_recognition'] });
    const whisper = await submitJob(t, {
      service: 'speech_recognition',
      payload: { audio_url: 'https://example.com/a.mp3' },
    });
    expect(whisper.estimated_price).toBeNull();
    const a = await claim(t, 'miner3', whisper.job_id);
    const r1 = await t.as('miner3').miners.result({ ...leaseOf(a), result: { text: '' } });
    expect(r1.receipt.service).toBe('speech_recognition');
    expect('price' in r1.receipt).toBe(false);

    const plain = await submitJob(t);
    const b = await claim(t, 'miner1', plain.job_id);
    const r2 = await t.as('miner1').miners.result({ ...leaseOf(b), result: { ok: true } });
    expect('price' in r2.receipt).toBe(false);
    expect('service' in r2.receipt).toBe(false);
  });

  it('a job without a service goes to any miner, whatever services it offers', async () => {
    for (const miner of ['miner1', 'miner2', 'miner3'] as const) {
      const job = await submitJob(t, { constraints: { gpu: 'nvidia' } });
      const assigned = await claim(t, miner, job.job_id);
      await t.as(miner).miners.result({ ...leaseOf(assigned), result: { ok: true } });
    }
  });

  it('a miner that offers no services never gets a service job', async () => {
    await registerMiner(t, 'miner3', { gpus: [RTX], cuda: '12.4' });
    const job = await submitJob(t, { service: 'llm_inference', payload: LLAMA_13B });
    expect(await pollNow(t, 'miner3')).toBeNull();
    await registerMiner(t, 'miner3', LLM_MINER); // advertising it again makes it eligible
    const assigned = await claim(t, 'miner3', job.job_id);
    await t.as('miner3').miners.result({ ...leaseOf(assigned), result: { ok: true } });
  });

  it('a service job wakes the waiting miner that offers it, not one that waited first', async () => {
    const signal = t.app.services.signal;
    const waiting = pollsWaiting(t, 2);
    const wrong = t.as('miner1').miners.poll({ max_wait_seconds: 1 });
    const right = t.as('miner3').miners.poll({ max_wait_seconds: 5 });
    await waiting;
    // A waiter woken for a job it cannot claim passes the wake-up on: there must be none.
    const fruitless: WakeReason[] = [];
    signal.forward = (reason: WakeReason, hadFreeSlot?: boolean) => {
      if (reason) fruitless.push(reason);
      JobSignal.prototype.forward.call(signal, reason, hadFreeSlot);
    };
    try {
      const job = await submitJob(t, { service: 'llm_inference', payload: LLAMA_13B });
      expect((await right).job?.job_id).toBe(job.job_id);
      expect((await wrong).job).toBeNull();
      expect(fruitless).toEqual([]);
    } finally {
      Reflect.deleteProperty(signal, 'forward');
    }
  });
});
