import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureMatches } from '@aitbc/request-signing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AitbcError, toAitbcError } from './errors.js';
import { createTrpcClient } from './transport.js';

/**
 * The transport against a tiny local HTTP server that records what arrives on the wire and
 * answers from a script: the headers, the signature over the exact bytes sent, the retries.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Answer = { status: number; json?: unknown; headers?: Record<string, string> } | 'hang';

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let script: Answer[] = [];
const JOB = { job_id: 'j1', state: 'QUEUED' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = script.shift() ?? { status: 200, json: { result: { data: JOB } } };
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.json ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
  script = [];
});

const KEY = 'ck_secret_0123456789';
const unexpected = (value: unknown): never => {
  throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
};
const fast = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };
const unavailable = (headers: Record<string, string> = {}): Answer => ({
  status: 503,
  json: {
    error: { code: -32603, message: 'not ready', data: { code: 'NOT_READY', httpStatus: 503 } },
  },
  headers,
});

describe('authentication on the wire', () => {
  it('sends X-Api-Key, the User-Agent and the Idempotency-Key of the call', async () => {
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, userAgent: 'sdk-test/1' });
    await trpc.jobs.submit.mutate({ payload: { a: 1 } }, { context: { idempotencyKey: 'idem-1' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/trpc/jobs.submit',
      body: '{"payload":{"a":1}}',
    });
    expect(seen[0]?.headers).toMatchObject({
      'x-api-key': KEY,
      'user-agent': 'sdk-test/1',
      'idempotency-key': 'idem-1',
    });
  });

  it('signs the exact target and body instead of sending the key (§8a)', async () => {
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, signing: { keyId: 'alice' } });
    await trpc.jobs.get.query({ job_id: "it's 1" });
    await trpc.jobs.submit.mutate({ payload: { prompt: 'Grüße' } });
    expect(seen).toHaveLength(2);
    for (const request of seen) {
      const h = request.headers;
      expect(h['x-api-key']).toBeUndefined();
      expect(h['x-api-key-id']).toBe('alice');
      expect(Math.abs(Number(h['x-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
      const parts = {
        method: request.method,
        target: request.url,
        timestamp: String(h['x-timestamp']),
        nonce: String(h['x-nonce']),
        body: request.body,
      };
      expect(signatureMatches(KEY, parts, String(h['x-signature']))).toBe(true);
      expect(signatureMatches('another key', parts, String(h['x-signature']))).toBe(false);
    }
    expect(seen[0]?.url).toContain('?input=');
  });

  it('signs every retry afresh, so the server never sees a nonce twice', async () => {
    script = [unavailable(), unavailable()];
    const trpc = createTrpcClient({
      baseUrl,
      apiKey: KEY,
      signing: { keyId: 'alice' },
      retry: fast,
    });
    await trpc.jobs.get.query({ job_id: 'j1' });
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.headers['x-nonce'])).size).toBe(3);
  });
});

describe('retries and timeouts', () => {
  it('repeats a 503 until an answer comes', async () => {
    script = [unavailable(), unavailable()];
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, retry: fast });
    expect(await trpc.jobs.get.query({ job_id: 'j1' })).toEqual(JOB);
    expect(seen).toHaveLength(3);
  });

  it('gives up after `retries` and reports the last answer', async () => {
    script = [unavailable(), unavailable(), unavailable({ 'retry-after': '0' })];
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, retry: { ...fast, retries: 2 } });
    const error = await trpc.jobs.get.query({ job_id: 'j1' }).then(unexpected, toAitbcError);
    expect(error).toMatchObject({ code: 'NOT_READY', status: 503, retryAfterSeconds: 0 });
    expect(seen).toHaveLength(3);
  });

  it('does not repeat a 500 of a mutation that is not safe to repeat', async () => {
    const bug = {
      status: 500,
      json: {
        error: { code: -32603, message: 'bug', data: { code: 'INTERNAL', httpStatus: 500 } },
      },
    };
    script = [bug, bug];
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, retry: fast });
    const error = await trpc.miners.fail
      .mutate({ job_id: 'j1', lease_id: 'l1', error_code: 'E', error_message: 'm' })
      .then(unexpected, toAitbcError);
    expect(error).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(seen).toHaveLength(1);
    script = [bug];
    await trpc.jobs.cancel.mutate({ job_id: 'j1' });
    expect(seen).toHaveLength(3);
  });

  it('turns a non-JSON error page into HTTP_<status>', async () => {
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, retry: { retries: 0 } });
    script = [{ status: 502, json: 'x', headers: { 'content-type': 'text/html' } }];
    const error = await trpc.jobs.get.query({ job_id: 'j1' }).then(unexpected, toAitbcError);
    expect(error).toMatchObject({ code: 'HTTP_502', status: 502 });
  });

  it('ends a request that gets no answer within timeoutMs, without retrying it', async () => {
    script = ['hang'];
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, timeoutMs: 100, retry: fast });
    const started = Date.now();
    const error = await trpc.jobs.get.query({ job_id: 'j1' }).then(unexpected, toAitbcError);
    expect(error).toBeInstanceOf(AitbcError);
    expect(error).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(seen).toHaveLength(1);
  });

  it('lets one call set a longer timeout through its context', async () => {
    script = ['hang'];
    const trpc = createTrpcClient({ baseUrl, apiKey: KEY, timeoutMs: 5000 });
    const error = await trpc.jobs.get
      .query({ job_id: 'j1' }, { context: { timeoutMs: 50 } })
      .then(unexpected, toAitbcError);
    expect(error.code).toBe('REQUEST_TIMEOUT');
  });
});
