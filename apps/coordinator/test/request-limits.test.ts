import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, send } from './support/inject.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Rate limits in memory (one instance), batch and queue caps, long-poll cap, response headers. */
describe('rate limits (in memory)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_REQUESTS: '20',
      MINER_RATE_LIMIT_REQUESTS: '100',
      IP_RATE_LIMIT_REQUESTS: '10',
      MAX_BATCH_SIZE: '60',
    });
  });
  afterAll(() => t?.close());

  it('lets a burst of twice the budget through up to the budget, then 429 with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => send(t, 'GET', '/v1/jobs', { key: 'alice' })),
    );
    const ok = answers.filter((r) => r.statusCode === 200);
    const limited = answers.filter((r) => r.statusCode === 429);
    expect([ok.length, limited.length]).toEqual([20, 20]);
    expect(codeOf(limited[0]!)).toBe('RATE_LIMITED');
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited[0]!.headers['ratelimit-remaining']).toBe('0');
    // Another principal has its own budget.
    expect((await send(t, 'GET', '/v1/jobs', { key: 'bob' })).statusCode).toBe(200);
  });

  it('reports the budget on every answer, errors included', async () => {
    const first = await send(t, 'GET', '/v1/jobs/nope', { key: 'bob' });
    expect(first.statusCode).toBe(404);
    expect(first.headers['ratelimit-limit']).toBe('20');
    const second = await send(t, 'GET', '/v1/jobs', { key: 'bob' });
    expect(Number(second.headers['ratelimit-remaining'])).toBe(
      Number(first.headers['ratelimit-remaining']) - 1,
    );
    expect(Number(second.headers['ratelimit-reset'])).toBeGreaterThan(0);
  });

  it('gives miners their own, larger budget', async () => {
    const res = await send(t, 'POST', '/v1/miners/heartbeat', { key: 'miner1', body: '{}' });
    expect(res.headers['ratelimit-limit']).toBe('100');
  });

  it('counts every call of a tRPC batch, and refuses a batch over MAX_BATCH_SIZE', async () => {
    const batch = (n: number) =>
      `/trpc/${Array.from({ length: n }, () => 'receipts.keys').join(',')}?batch=1`;
    const fifty = await send(t, 'GET', batch(50), { key: 'miner2' });
    expect([fifty.statusCode, fifty.json<unknown[]>().length]).toEqual([200, 50]);
    expect(fifty.headers['ratelimit-remaining']).toBe('50');
    const fiftyMore = await send(t, 'GET', batch(50), { key: 'miner2' });
    expect([fiftyMore.statusCode, fiftyMore.headers['ratelimit-remaining']]).toEqual([200, '0']);
    const one = await send(t, 'GET', batch(1), { key: 'miner2' });
    expect(one.statusCode).toBe(429);
    const tooBig = await send(t, 'GET', batch(61), { key: 'admin' });
    expect([tooBig.statusCode, codeOf(tooBig)]).toEqual([400, 'MALFORMED_REQUEST']);
  });

  it('limits callers without a known key per IP', async () => {
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push((await send(t, 'GET', '/v1/health')).statusCode);
    expect(answers.filter((s) => s === 429)).toHaveLength(2);
    const stranger = await send(t, 'GET', '/v1/jobs', {
      headers: { 'x-api-key': 'sk_nobody_0000' },
    });
    expect(stranger.statusCode).toBe(429);
  });
});

describe('abuse limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_QUEUED_JOBS_PER_CLIENT: '5' });
  });
  afterAll(() => t?.close());

  it('caps a client’s queued jobs with 429 QUEUE_LIMIT, with or without an Idempotency-Key', async () => {
    const body = JSON.stringify({ payload: { n: 1 } });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => send(t, 'POST', '/v1/jobs', { key: 'alice', body })),
    );
    // Submits without a key are inserted by group commit, which counts the jobs ahead in its own
    // batch: on one instance the cap holds exactly, however many arrive together.
    expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(5);
    const refused = answers.find((r) => r.statusCode === 429);
    expect(refused && codeOf(refused)).toBe('QUEUE_LIMIT');
    const keyed = await send(t, 'POST', '/v1/jobs', {
      key: 'alice',
      body,
      headers: { 'idempotency-key': 'k-over-cap' },
    });
    expect([keyed.statusCode, codeOf(keyed)]).toEqual([429, 'QUEUE_LIMIT']);
    // bob has a queue of his own; alice gets room back when a job leaves the queue.
    expect((await send(t, 'POST', '/v1/jobs', { key: 'bob', body })).statusCode).toBe(201);
    const { items } = await t.as('alice').jobs.list({});
    await t.as('alice').jobs.cancel({ job_id: items[0]!.job_id });
    const again = await send(t, 'POST', '/v1/jobs', {
      key: 'alice',
      body,
      headers: { 'idempotency-key': 'k-over-cap' },
    });
    expect(again.statusCode).toBe(201);
  });
});

describe('long polls', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_LONG_POLLS_PER_MINER: '2' });
  });
  afterAll(() => t?.close());

  it('caps the long polls one miner holds open at once', async () => {
    await t
      .as('miner1')
      .miners.register({ capabilities: { gpus: [] }, concurrency: 1, region: 'x' });
    const body = JSON.stringify({ max_wait_seconds: 2 });
    const holding = [1, 2].map(() => send(t, 'POST', '/v1/miners/poll', { key: 'miner1', body }));
    await expect.poll(() => t.app.services.signal.waiting, { timeout: 5000 }).toBe(2);
    const third = await send(t, 'POST', '/v1/miners/poll', { key: 'miner1', body });
    expect([third.statusCode, codeOf(third)]).toEqual([429, 'RATE_LIMITED']);
    expect(third.headers['retry-after']).toBeDefined();
    expect((await Promise.all(holding)).map((r) => r.statusCode)).toEqual([200, 200]);
    const now = JSON.stringify({ max_wait_seconds: 0 });
    expect(
      (await send(t, 'POST', '/v1/miners/poll', { key: 'miner1', body: now })).statusCode,
    ).toBe(200);
  });
});

describe('slow clients', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REQUEST_TIMEOUT_SECONDS: '1' });
  });
  afterAll(() => t?.close());

  it('cuts off a request whose body does not arrive within REQUEST_TIMEOUT_SECONDS', async () => {
    // A request whose headers never end gets Node's own 408 (headersTimeout/requestTimeout).
    const address = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const socket = connect({ port: Number(port), host: '127.0.0.1' });
    const started = Date.now();
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\nX-Api-Key: ck_alice_0123456789\r\n\r\n{"payload":',
    );
    await closed;
    // Cut off after about a second (the check runs each second), without an answer.
    expect(answer).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
