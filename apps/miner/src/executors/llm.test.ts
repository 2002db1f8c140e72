import { JobError } from '@aitbc/miner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completion, type FakeOpenAi, startFakeOpenAi } from '../testing/fake-openai.js';
import { makeRunningJob } from '../testing/running-job.js';
import { chatCompletionsUrl, createLlmExecutor } from './llm.js';

let server: FakeOpenAi;

beforeAll(async () => {
  server = await startFakeOpenAi();
});
afterAll(() => server.close());

const llmJob = (payload: Record<string, unknown>, signal?: AbortSignal) =>
  makeRunningJob({
    service: 'llm_inference',
    payload,
    ...(signal ? { signal } : {}),
  });

const failure = (run: Promise<unknown>) =>
  run.then(
    () => null,
    (e: unknown) => e as JobError,
  );

describe('createLlmExecutor', () => {
  it('posts a chat completion and reports the answer with its token usage', async () => {
    server.reply({
      status: 200,
      body: completion('GPU leases are rentals.', { prompt: 9, completion: 6 }),
    });
    const run = createLlmExecutor({ baseUrl: `${server.baseUrl}/`, apiKey: 'sk-test' });

    const out = await run(
      llmJob({ model: 'mistral-7b', prompt: 'Explain leases', max_tokens: 32 }),
    );

    const seen = server.requests.at(-1)!;
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe('/v1/chat/completions');
    expect(seen.headers.authorization).toBe('Bearer sk-test');
    expect(seen.body).toMatchObject({
      model: 'mistral-7b',
      messages: [{ role: 'user', content: 'Explain leases' }],
      max_tokens: 32,
      temperature: 0.7,
      top_p: 0.9,
      stream: false,
    });
    expect(seen.body).not.toHaveProperty('stop');
    expect(out).toEqual({
      result: { text: 'GPU leases are rentals.', tokens_generated: 6, finish_reason: 'stop' },
      metrics: {
        units: 15,
        unit_type: 'tokens',
        prompt_tokens: 9,
        completion_tokens: 6,
        model: 'served-model',
      },
    });
  });

  it('sends the configured model instead of the registry name, and stop sequences', async () => {
    server.reply({ status: 200, body: completion('1 2 3', undefined, 'length') });
    const run = createLlmExecutor({ baseUrl: `${server.baseUrl}/v1`, model: 'llama3.2:1b' });

    const out = await run(llmJob({ model: 'llama-7b', prompt: 'count', stop_sequences: ['4'] }));

    const seen = server.requests.at(-1)!;
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body).toMatchObject({ model: 'llama3.2:1b', stop: ['4'] });
    expect(out.result).toMatchObject({ finish_reason: 'length' });
  });

  it('fails retryably on a 5xx, with the server message', async () => {
    server.reply({ status: 503, body: { error: { message: 'model is loading' } } });
    const err = await failure(createLlmExecutor({ baseUrl: server.baseUrl })(llmJob(PAYLOAD)));
    expect(err).toBeInstanceOf(JobError);
    expect(err).toMatchObject({ code: 'LLM_UPSTREAM_ERROR', retryable: true });
    expect(err?.message).toContain('503: model is loading');
  });

  it('fails for good on a 4xx, with the server message', async () => {
    server.reply({
      status: 404,
      body: { error: 'model "llama-7b" not found, try pulling it first' },
    });
    const err = await failure(createLlmExecutor({ baseUrl: server.baseUrl })(llmJob(PAYLOAD)));
    expect(err).toMatchObject({ code: 'LLM_REQUEST_REJECTED', retryable: false });
    expect(err?.message).toContain('404: model "llama-7b" not found');
  });

  it('treats 429 as retryable', async () => {
    server.reply({ status: 429, body: { error: { message: 'slow down' } } });
    const err = await failure(createLlmExecutor({ baseUrl: server.baseUrl })(llmJob(PAYLOAD)));
    expect(err).toMatchObject({ code: 'LLM_UPSTREAM_ERROR', retryable: true });
  });

  it('fails on an answer that is not a chat completion', async () => {
    server.reply({ status: 200, body: { choices: [] } });
    const err = await failure(createLlmExecutor({ baseUrl: server.baseUrl })(llmJob(PAYLOAD)));
    expect(err).toMatchObject({ code: 'LLM_BAD_RESPONSE', retryable: false });
  });

  it('aborts the request when the job signal fires', async () => {
    server.reply('hang');
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const run = createLlmExecutor({ baseUrl: server.baseUrl })(llmJob(PAYLOAD, controller.signal));
    await arrived;
    controller.abort(new Error('job canceled'));
    const err = await failure(run);
    expect(err).toMatchObject({ code: 'ABORTED', retryable: true });
  });

  it('fails retryably when the server is not reachable', async () => {
    const gone = await startFakeOpenAi();
    await gone.close();
    const err = await failure(createLlmExecutor({ baseUrl: gone.baseUrl })(llmJob(PAYLOAD)));
    expect(err).toMatchObject({ code: 'LLM_UNAVAILABLE', retryable: true });
  });

  it('refuses a payload the registry schema refuses, without calling the server', async () => {
    const before = server.requests.length;
    const err = await failure(
      createLlmExecutor({ baseUrl: server.baseUrl })(llmJob({ model: 'gpt-9', prompt: 'x' })),
    );
    expect(err).toMatchObject({ code: 'INVALID_PAYLOAD', retryable: false });
    expect(err?.message).toContain('model');
    expect(server.requests.length).toBe(before);
  });
});

describe('chatCompletionsUrl', () => {
  it('accepts the base with or without /v1 and trailing slashes', () => {
    for (const base of [
      'http://h:8000',
      'http://h:8000/',
      'http://h:8000/v1',
      'http://h:8000/v1/',
    ]) {
      expect(chatCompletionsUrl(base)).toBe('http://h:8000/v1/chat/completions');
    }
  });
});

const PAYLOAD = { model: 'llama-7b', prompt: 'hi' };
