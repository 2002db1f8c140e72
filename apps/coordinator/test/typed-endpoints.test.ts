import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerWithContext,
  claim,
  expectAppError,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('typed service endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  /** Calls a typed endpoint as alice; returns the answer, its status and the job as stored. */
  async function typed<K extends keyof ReturnType<typeof services>>(
    name: K,
    body: Parameters<ReturnType<typeof services>[K]>[0],
    headers: Record<string, string> = {},
  ) {
    const { caller, response } = callerWithContext(t, 'alice', headers);
    const call = caller.services[name] as (input: unknown) => Promise<{ job_id: string }>;
    const answer = (await call(body)) as Awaited<ReturnType<ReturnType<typeof services>[K]>>;
    const job = await t.as('alice').jobs.get({ job_id: answer.job_id });
    return { answer, status: response.status, response, job };
  }
  const services = () => t.as('alice').services;

  it('lists the five typed endpoints without a key', async () => {
    const { items } = await t.as(null).services.list();
    expect(items.map((e) => `${e.method} ${e.path}`)).toEqual([
      'POST /v1/services/whisper/transcribe',
      'POST /v1/services/stable-diffusion/generate',
      'POST /v1/services/llm/inference',
      'POST /v1/services/ffmpeg/transcode',
      'POST /v1/services/blender/render',
    ]);
    expect(items.map((e) => e.service)).toContain('whisper/transcribe');
    expect(items.every((e) => e.description.length > 0)).toBe(true);
  });

  it('whisper large-v3: a 201 speech_recognition job that needs a GPU with ≥ 10 GB', async () => {
    const { answer, status, job } = await typed('whisperTranscribe', {
      audio_url: 'https://example.com/talk.mp3',
      model: 'large-v3',
    });
    expect(status).toBe(201);
    expect(answer).toStrictEqual({
      job_id: expect.any(String),
      service: 'speech_recognition',
      state: 'QUEUED',
      expires_at: job.expires_at,
      estimated_price: null,
    });
    expect(job.service).toBe('speech_recognition');
    expect(job.constraints.min_vram_gb).toBeGreaterThanOrEqual(10);
    expect(job.constraints.gpu).toBe('any');
    const base = await typed('whisperTranscribe', { audio_url: 'https://example.com/a.mp3' });
    expect(base.job.constraints.min_vram_gb).toBe(1);
  });

  it('stable diffusion XL: NVIDIA, ≥ 8 GB, CUDA 11.8, priced per image', async () => {
    const { answer, job } = await typed('stableDiffusionGenerate', {
      prompt: 'a fox',
      model: 'stable-diffusion-xl',
      num_images: 3,
    });
    expect(answer.service).toBe('image_generation');
    expect(job.constraints).toEqual({ gpu: 'nvidia', min_vram_gb: 8, cuda: '11.8' });
    expect(answer.estimated_price).toBeCloseTo(0.06, 9);
    expect(job.estimated_price).toBe(answer.estimated_price);
  });

  it('llm llama-70b: 64 GB on NVIDIA with CUDA 11.8, price from max_tokens', async () => {
    const { answer, job } = await typed('llmInference', {
      model: 'llama-70b',
      prompt: 'hello',
      max_tokens: 1000,
    });
    expect(answer.service).toBe('llm_inference');
    expect(job.constraints).toEqual({ gpu: 'nvidia', min_vram_gb: 64, cuda: '11.8' });
    expect(answer.estimated_price).toBeCloseTo(1, 9);
  });

  it('ffmpeg: h265 wants NVENC (NVIDIA ≥ 4 GB), vp9 any GPU', async () => {
    const h265 = await typed('ffmpegTranscode', {
      input_url: 'https://example.com/in.mov',
      codec: 'h265',
    });
    expect(h265.answer.service).toBe('video_transcoding');
    expect(h265.job.constraints.gpu).toBe('nvidia');
    expect(h265.job.constraints.min_vram_gb).toBeGreaterThanOrEqual(4);
    const vp9 = await typed('ffmpegTranscode', {
      input_url: 'http://example.com/in.mov',
      codec: 'vp9',
    });
    expect(vp9.job.constraints.gpu).toBe('any');
  });

  it('blender: more frames, a longer run timeout and a higher price', async () => {
    const one = await typed('blenderRender', { blend_file_url: 'https://example.com/s.blend' });
    const many = await typed('blenderRender', {
      blend_file_url: 'https://example.com/s.blend',
      frame_start: 1,
      frame_end: 240,
    });
    expect(many.answer.service).toBe('3d_rendering');
    expect(many.job.constraints.gpu).toBe('nvidia');
    const timeouts = await t.app.services.db.query<{ id: string; timeout_seconds: number }>(
      'select id, timeout_seconds from jobs where id = any($1::text[])',
      [[one.answer.job_id, many.answer.job_id]],
    );
    const timeoutOf = (id: string) => timeouts.rows.find((r) => r.id === id)!.timeout_seconds;
    expect(timeoutOf(many.answer.job_id)).toBeGreaterThan(timeoutOf(one.answer.job_id) * 10);
    expect(many.answer.estimated_price).toBeCloseTo(240 * 0.05, 9);
    expect(one.answer.estimated_price).toBeCloseTo(0.05, 9);
  });

  it('hands the miner the request with every default applied', async () => {
    // Earlier image jobs would be handed out first: out of the way with them.
    const queued = await t.as('alice').jobs.list({ state: 'QUEUED', limit: 100 });
    for (const job of queued.items) await t.as('alice').jobs.cancel({ job_id: job.job_id });
    await registerMiner(t, 'miner1', {
      gpus: [{ model: 'RTX 4090', vram_gb: 24 }],
      cuda: '12.4',
      services: ['image_generation'],
    });
    const { answer } = await typed('stableDiffusionGenerate', { prompt: 'a heron' });
    const assigned = await claim(t, 'miner1', answer.job_id);
    expect(assigned.service).toBe('image_generation');
    expect(assigned.payload).toMatchObject({
      prompt: 'a heron',
      model: 'stable-diffusion-1.5',
      size: '512x512',
      num_images: 1,
      num_inference_steps: 20,
      guidance_scale: 7.5,
      seed: null,
    });
  });

  it('refuses num_images 5 with 400 at num_images, and creates no job', async () => {
    const before = (await t.as('admin').admin.jobs({ client_id: 'alice', limit: 100 })).items;
    const error = await expectAppError(
      services().stableDiffusionGenerate({ prompt: 'x', num_images: 5 }),
      'VALIDATION_FAILED',
    );
    expect(error.issues?.map((i) => i.path)).toEqual(['num_images']);
    const after = (await t.as('admin').admin.jobs({ client_id: 'alice', limit: 100 })).items;
    expect(after.length).toBe(before.length);
  });

  it('refuses custom_args (no raw command-line pass-through)', async () => {
    const error = await expectAppError(
      services().ffmpegTranscode({
        input_url: 'https://example.com/in.mov',
        custom_args: '-i /etc/passwd',
      } as never),
      'VALIDATION_FAILED',
    );
    expect(error.issues).toContainEqual({ path: 'custom_args', message: 'unknown field' });
  });

  it('refuses a URL that is not http(s)', async () => {
    for (const url of ['ftp://example.com/a.mp3', 'file:///etc/passwd', 'https://u:p@host/a']) {
      const error = await expectAppError(
        services().whisperTranscribe({ audio_url: url }),
        'VALIDATION_FAILED',
      );
      expect(error.issues?.map((i) => i.path)).toEqual(['audio_url']);
    }
  });

  it('refuses blender frame_end before frame_start, and an unknown llm model', async () => {
    const frames = await expectAppError(
      services().blenderRender({
        blend_file_url: 'https://example.com/s.blend',
        frame_start: 10,
        frame_end: 5,
      }),
      'VALIDATION_FAILED',
    );
    expect(frames.issues?.map((i) => i.path)).toEqual(['frame_end']);
    const model = await expectAppError(
      services().llmInference({ model: 'gpt-5' as never, prompt: 'x' }),
      'VALIDATION_FAILED',
    );
    expect(model.issues?.map((i) => i.path)).toEqual(['model']);
  });

  it('honours an Idempotency-Key exactly like POST /v1/jobs', async () => {
    const body = { model: 'mistral-7b' as const, prompt: 'once' };
    const first = await typed('llmInference', body, { 'idempotency-key': 'typed-1' });
    const again = await typed('llmInference', body, { 'idempotency-key': 'typed-1' });
    expect(again.answer).toStrictEqual(first.answer);
    expect(again.status).toBe(201);
    expect(again.response.headers['Idempotent-Replayed']).toBe('true');
    expect(first.response.headers['Idempotent-Replayed']).toBeUndefined();
    const { caller } = callerWithContext(t, 'alice', { 'idempotency-key': 'typed-1' });
    await expectAppError(
      caller.services.llmInference({ ...body, prompt: 'twice' }),
      'IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('needs a client key', async () => {
    const body = { audio_url: 'https://example.com/a.mp3' };
    await expectAppError(t.as(null).services.whisperTranscribe(body), 'UNAUTHENTICATED');
    await expectAppError(t.as('miner1').services.whisperTranscribe(body), 'FORBIDDEN');
    await expectAppError(t.as('admin').services.whisperTranscribe(body), 'FORBIDDEN');
  });

  it('creates ordinary jobs: listed, cancelable, and invisible to other clients', async () => {
    const { answer } = await typed('whisperTranscribe', { audio_url: 'https://example.com/b.mp3' });
    const listed = await t.as('alice').jobs.list({ limit: 5 });
    expect(listed.items.map((j) => j.job_id)).toContain(answer.job_id);
    await expectAppError(t.as('bob').jobs.get({ job_id: answer.job_id }), 'NOT_FOUND');
    const canceled = await t.as('alice').jobs.cancel({ job_id: answer.job_id });
    expect(canceled.state).toBe('CANCELED');
    // A plain job is not a service job.
    expect((await submitJob(t)).service).toBeNull();
  });
});
