import { randomBytes } from 'node:crypto';
import { type AitbcClient, AitbcError, createClient, type Receipt } from '@aitbc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_MINER, type Keys, keyEnv, makeKeys, poll } from './support/actors.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer, tempDir } from './support/server.js';
import type { AssignedJob } from './support/types.js';

/**
 * The client SDK against a real coordinator, through a fault-injecting proxy: the SDK is not
 * mocked, the faults are real HTTP answers and dropped connections. A miner is driven with plain
 * HTTP (tests/support) where a job has to finish.
 */

const SERVICE = 'gpu_compilation';
const SERVICE_PAYLOAD = { source_url: 'https://example.com/kernels.tar.gz' };
const FAST_RETRY = { retries: 3, minDelayMs: 5, maxDelayMs: 50 };
const seedHex = () => randomBytes(32).toString('hex');
/** Jobs that only wait in the queue: the test miner has no region, so it never claims them. */
const PARKED = { region: 'parked' };

let keys: Keys;
let dataDir: string;
let server: RunningServer;
let proxy: FaultProxy;
let http: Http;
let client: AitbcClient;

const minerKey = () => keys.miners.gpu1 as string;
const clientFor = (name: string, extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  createClient({
    baseUrl: proxy.url,
    apiKey: keys.clients[name] as string,
    retry: FAST_RETRY,
    ...extra,
  });
const boot = (signingSeed: string) =>
  startServer({
    db: 'embedded',
    dataDir,
    env: { ...keyEnv(keys), RECEIPT_SIGNING_KEY_HEX: signingSeed },
  });
const requestsTo = (path: string) => proxy.log.filter((r) => r.url.includes(path));

/** The miner takes the next job (long-poll) and answers it with `result`, or fails it. */
async function minerTakes(outcome: { result: unknown } | { fail: string }): Promise<AssignedJob> {
  const job = await poll(http, minerKey(), 10);
  if (!job) throw new Error('the miner got no job');
  const [path, body] =
    'result' in outcome
      ? ['result', { lease_id: job.lease_id, result: outcome.result }]
      : [
          'fail',
          {
            lease_id: job.lease_id,
            error_code: outcome.fail,
            error_message: 'broken',
            retryable: false,
          },
        ];
  const answer = await http.post(`/v1/miners/${job.job_id}/${path}`, body, minerKey());
  if (answer.status !== 200) throw new Error(`miner ${path}: ${answer.status} ${answer.text}`);
  return job;
}

async function caught(promise: Promise<unknown>): Promise<AitbcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AitbcError))
    throw new Error(`expected an AitbcError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  keys = makeKeys(['alice', 'bob', 'carol'], ['gpu1']);
  dataDir = tempDir();
  server = await boot(seedHex());
  proxy = await startFaultProxy(server.baseUrl);
  http = new Http(proxy.url);
  client = clientFor('alice');
  const capabilities = { ...GPU_MINER.capabilities, services: [SERVICE] };
  const registered = await http.post(
    '/v1/miners/register',
    { capabilities, concurrency: 4 },
    minerKey(),
  );
  expect(registered.status).toBe(200);
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  cleanupTempDirs();
});

describe('jobs', () => {
  it('submits, gets and cancels a job', async () => {
    const job = await client.submit({ payload: { n: 1 }, constraints: PARKED, priority: 3 });
    expect(job).toMatchObject({ state: 'QUEUED', priority: 3, attempt: 0, service: null });
    expect(await client.get(job.job_id)).toEqual(job);
    expect((await client.cancel(job.job_id)).state).toBe('CANCELED');
    const again = await caught(client.cancel(job.job_id));
    expect(again).toMatchObject({ code: 'JOB_TERMINAL', status: 409 });
  });

  it('lists every job over several pages, newest first', async () => {
    const bob = clientFor('bob');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await bob.submit({ payload: { i }, constraints: PARKED })).job_id);
    const first = await bob.listPage({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const all: string[] = [];
    for await (const job of bob.list({ limit: 2 })) all.push(job.job_id);
    expect(all).toEqual([...ids].reverse());
    const queued: string[] = [];
    for await (const job of bob.list({ state: 'CANCELED' })) queued.push(job.job_id);
    expect(queued).toEqual([]);
  });

  it('returns the same job for the same Idempotency-Key, and refuses it for another body', async () => {
    const key = `idem-${randomBytes(6).toString('hex')}`;
    const first = await client.submit(
      { payload: { same: true }, constraints: PARKED },
      { idempotencyKey: key },
    );
    const second = await client.submit(
      { payload: { same: true }, constraints: PARKED },
      { idempotencyKey: key },
    );
    expect(second.job_id).toBe(first.job_id);
    const clash = await caught(
      client.submit({ payload: { same: false }, constraints: PARKED }, { idempotencyKey: key }),
    );
    expect(clash).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', status: 409 });
  });
});

describe('typed errors', () => {
  it('carries the server code and status: 404 NOT_FOUND', async () => {
    const error = await caught(client.get('no-such-job'));
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    // Another principal's job is not found either.
    const job = await client.submit({ payload: { mine: true }, constraints: PARKED });
    expect(await caught(clientFor('bob').get(job.job_id))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists the offending fields of a 400', async () => {
    const error = await caught(client.submit({ payload: { a: 1 }, priority: 5000 }));
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(error.issues?.map((i) => i.path)).toEqual(['priority']);
  });

  it('is UNAUTHENTICATED (401) for an unknown key and JOB_NOT_READY (409) for an early result', async () => {
    const stranger = createClient({ baseUrl: proxy.url, apiKey: 'ck_unknown_0000000000' });
    expect(await caught(stranger.listPage())).toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
    const job = await client.submit({ payload: { early: true }, constraints: PARKED });
    expect(await caught(client.result(job.job_id))).toMatchObject({
      code: 'JOB_NOT_READY',
      status: 409,
    });
  });
});

describe('wait and run', () => {
  it('runs a service job to its verified receipt', async () => {
    const updates: string[] = [];
    const [outcome] = await Promise.all([
      client.run(SERVICE, SERVICE_PAYLOAD, {
        timeoutMs: 20_000,
        onUpdate: (j) => updates.push(j.state),
      }),
      minerTakes({ result: { artifacts: [], warnings: 0 } }),
    ]);
    expect(outcome.job).toMatchObject({ state: 'COMPLETED', service: SERVICE });
    expect(outcome.result).toEqual({ artifacts: [], warnings: 0 });
    expect(outcome.receipt).toMatchObject({ job_id: outcome.job.job_id, service: SERVICE });
    expect(outcome.verification.ok).toBe(true);
    expect(updates.at(-1)).toBe('COMPLETED');
    expect(await client.receipt(outcome.job.job_id)).toEqual(outcome.receipt);
    const page = await client.receipts(outcome.job.job_id);
    expect(page.items).toEqual([outcome.receipt]);
  });

  it("throws the job's error code when the job FAILED", async () => {
    const [error] = await Promise.all([
      caught(client.run(SERVICE, SERVICE_PAYLOAD, { timeoutMs: 20_000 })),
      minerTakes({ fail: 'GPU_OOM' }),
    ]);
    expect(error.code).toBe('GPU_OOM');
  });

  it('ends with WAIT_TIMEOUT, or with the reason of an aborted signal', async () => {
    const job = await client.submit({ payload: { never: 'claimed' }, constraints: PARKED });
    expect(await caught(client.wait(job.job_id, { timeoutMs: 300 }))).toMatchObject({
      code: 'WAIT_TIMEOUT',
      status: 0,
    });
    const controller = new AbortController();
    const reason = new Error('user went away');
    const waiting = client.wait(job.job_id, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(waiting).rejects.toBe(reason);
  });

  it('detects a receipt that was altered', async () => {
    const [outcome] = await Promise.all([
      client.run(SERVICE, SERVICE_PAYLOAD, { timeoutMs: 20_000 }),
      minerTakes({ result: { ok: 1 } }),
    ]);
    const forged: Receipt = { ...outcome.receipt, units: outcome.receipt.units + 1 };
    expect(await client.verifyReceipt(forged)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });
});

describe('retries through the fault proxy', () => {
  it('repeats a call answered 503 by the proxy', async () => {
    const job = await client.submit({ payload: { r: 503 }, constraints: PARKED });
    const before = requestsTo('jobs.get').length;
    proxy.failNext(2, { kind: 'status', status: 503 }, 'jobs.get');
    expect((await client.get(job.job_id)).job_id).toBe(job.job_id);
    expect(requestsTo('jobs.get').length - before).toBe(3);
  });

  it("honours a 429's Retry-After", async () => {
    const job = await client.submit({ payload: { r: 429 }, constraints: PARKED });
    proxy.failNext(1, { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, 'jobs.get');
    const started = Date.now();
    await client.get(job.job_id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('repeats a submit whose answer was lost, and the key keeps it to one job', async () => {
    const carol = clientFor('carol');
    proxy.failNext(1, { kind: 'drop-answer' }, 'jobs.submit');
    proxy.failNext(1, { kind: 'drop' }, 'jobs.submit');
    const job = await carol.submit({ payload: { once: true }, constraints: PARKED });
    const attempts = requestsTo('jobs.submit').slice(-3);
    expect(attempts.map((a) => a.outcome)).toEqual(['drop-answer', 'drop', 'forwarded']);
    expect(new Set(attempts.map((a) => a.headers['idempotency-key'])).size).toBe(1);
    const jobs: string[] = [];
    for await (const j of carol.list()) jobs.push(j.job_id);
    expect(jobs).toEqual([job.job_id]);
  });

  it('gives up after the retries with the last status', async () => {
    proxy.failNext(4, { kind: 'status', status: 503 }, 'jobs.list');
    const error = await caught(client.listPage());
    expect(error).toMatchObject({ code: 'HTTP_503', status: 503 });
  });

  it('ends a request that gets no answer with REQUEST_TIMEOUT', async () => {
    const impatient = clientFor('alice', { timeoutMs: 300 });
    proxy.failNext(1, { kind: 'hang' }, 'jobs.list');
    const error = await caught(impatient.listPage());
    expect(error).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 0 });
  });
});

describe('receipt keys', () => {
  it('refetches the published keys once for a receipt signed by a key it has not seen', async () => {
    const [before] = await Promise.all([
      client.run(SERVICE, SERVICE_PAYLOAD, { timeoutMs: 20_000 }),
      minerTakes({ result: { before: 'rotation' } }),
    ]);
    const keyFetches = requestsTo('receipts.keys').length;
    // Rotate the signing key: same data, a restarted coordinator with a new key.
    await server.stop();
    server = await boot(seedHex());
    proxy.setUpstream(server.baseUrl);
    const [after] = await Promise.all([
      clientFor('alice').run(SERVICE, SERVICE_PAYLOAD, { timeoutMs: 20_000 }),
      minerTakes({ result: { after: 'rotation' } }),
    ]);
    expect(after.receipt.signature.key_id).not.toBe(before.receipt.signature.key_id);
    const fetchesBefore = requestsTo('receipts.keys').length;
    expect(fetchesBefore).toBe(keyFetches + 1); // the new client's first fetch
    const verdict = await client.verifyReceipt(after.receipt);
    expect(verdict).toMatchObject({ ok: true, keyId: after.receipt.signature.key_id });
    expect(requestsTo('receipts.keys').length).toBe(fetchesBefore + 1);
    // Known now: no further fetch.
    await client.verifyReceipt(after.receipt);
    expect(requestsTo('receipts.keys').length).toBe(fetchesBefore + 1);
  });
});
