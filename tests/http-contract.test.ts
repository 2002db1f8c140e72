import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  allSecrets,
  type Keys,
  keyEnv,
  makeKeys,
  poll,
  postResult,
  registerMiner,
  submitJob,
} from './support/actors.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import type { AssignedJob, ErrorBody, JobView, Receipt } from './support/types.js';

/**
 * The REST surface of CONTRACT §1–§6 against one running server (embedded database): who may
 * call what, the error vocabulary, limits, validation, auth headers, idempotency and the docs.
 */

type Caller = 'anon' | 'stranger' | 'alice' | 'bob' | 'miner' | 'admin';
const CALLERS: Caller[] = ['anon', 'stranger', 'alice', 'bob', 'miner', 'admin'];
/** A key the server does not know: refused, and (like every key) never echoed back. */
const STRANGER_KEY = 'sk_not_a_configured_key_5f3a9c0d2e';

interface Fixtures {
  /** alice's COMPLETED job with a receipt, and the lease it was completed under. */
  done: AssignedJob;
  /** alice's jobs RUNNING on `miner`, to complete and to fail. */
  toComplete: AssignedJob;
  toFail: AssignedJob;
  /** alice's jobs that no miner matches: they stay QUEUED. */
  queued: JobView;
  toCancel: JobView;
}

interface Row {
  route: string;
  /** Where the route is in the OpenAPI document (null: not a REST procedure). */
  openapi: string | null;
  call: (f: Fixtures) => { method: 'GET' | 'POST'; path: string; json?: unknown };
  expect: Record<Caller, number>;
  /** The `code` of the error answers whose status is not 401/403/404. */
  codes?: Partial<Record<Caller, string>>;
}

// biome-ignore format: a table
const open = { anon: 200, stranger: 200, alice: 200, bob: 200, miner: 200, admin: 200 };
// biome-ignore format: a table
const openNotFound = { anon: 404, stranger: 404, alice: 404, bob: 404, miner: 404, admin: 404 };
// biome-ignore format: a table
const aliceOnly = (ok: number) => ({ anon: 401, stranger: 401, alice: ok, bob: 404, miner: 403, admin: 403 });
// biome-ignore format: a table
const clients = (ok: number) => ({ anon: 401, stranger: 401, alice: ok, bob: ok, miner: 403, admin: 403 });
// biome-ignore format: a table
const minerOnly = (ok: number) => ({ anon: 401, stranger: 401, alice: 403, bob: 403, miner: ok, admin: 403 });
// biome-ignore format: a table
const adminOnly = { anon: 401, stranger: 401, alice: 403, bob: 403, miner: 403, admin: 200 };
// biome-ignore format: a table
const CODE_BY_STATUS: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

// Rows run in this order, and within a row the callers expected to succeed go last, so that a
// state change (cancel, result, drain) happens after every refused attempt at it.
// biome-ignore format: one route per line reads as the table it is
const ROWS: Row[] = [
  { route: 'GET /v1/health', openapi: '/v1/health', call: () => ({ method: 'GET', path: '/v1/health' }), expect: open },
  { route: 'GET /v1/health/ready', openapi: '/v1/health/ready', call: () => ({ method: 'GET', path: '/v1/health/ready' }), expect: open },
  { route: 'GET /openapi.json', openapi: null, call: () => ({ method: 'GET', path: '/openapi.json' }), expect: open },
  { route: 'GET /docs', openapi: null, call: () => ({ method: 'GET', path: '/docs' }), expect: open },
  { route: 'GET /v1/receipts/keys', openapi: '/v1/receipts/keys', call: () => ({ method: 'GET', path: '/v1/receipts/keys' }), expect: open },
  { route: 'POST /v1/jobs', openapi: '/v1/jobs', call: () => ({ method: 'POST', path: '/v1/jobs', json: { payload: { n: 1 }, constraints: { region: 'nowhere' } } }), expect: clients(201) },
  { route: 'POST /v1/services/whisper/transcribe', openapi: '/v1/services/whisper/transcribe', call: () => ({ method: 'POST', path: '/v1/services/whisper/transcribe', json: { audio_url: 'https://example.com/a.mp3', model: 'large-v3' } }), expect: clients(201) },
  { route: 'POST /v1/services/whisper/transcribe (ftp URL)', openapi: null, call: () => ({ method: 'POST', path: '/v1/services/whisper/transcribe', json: { audio_url: 'ftp://example.com/a.mp3' } }), expect: clients(400), codes: { alice: 'VALIDATION_FAILED', bob: 'VALIDATION_FAILED' } },
  { route: 'POST /v1/jobs/explain', openapi: '/v1/jobs/explain', call: () => ({ method: 'POST', path: '/v1/jobs/explain', json: { service: 'llm_inference', payload: { model: 'llama-7b', prompt: 'hi' } } }), expect: clients(200) },
  { route: 'GET /v1/services', openapi: '/v1/services', call: () => ({ method: 'GET', path: '/v1/services' }), expect: open },
  { route: 'GET /v1/registry/services', openapi: '/v1/registry/services', call: () => ({ method: 'GET', path: '/v1/registry/services?category=ai_ml&search=whisper' }), expect: open },
  { route: 'GET /v1/registry/services/{id}', openapi: '/v1/registry/services/{id}', call: () => ({ method: 'GET', path: '/v1/registry/services/llm_inference' }), expect: open },
  { route: 'GET /v1/registry/services/{id}/schema', openapi: '/v1/registry/services/{id}/schema', call: () => ({ method: 'GET', path: '/v1/registry/services/llm_inference/schema' }), expect: open },
  { route: 'GET /v1/registry/services/{id}/requirements', openapi: '/v1/registry/services/{id}/requirements', call: () => ({ method: 'GET', path: '/v1/registry/services/llm_inference/requirements' }), expect: open },
  { route: 'GET /v1/registry/services/{id}/pricing', openapi: '/v1/registry/services/{id}/pricing', call: () => ({ method: 'GET', path: '/v1/registry/services/llm_inference/pricing' }), expect: open },
  { route: 'GET /v1/registry/categories', openapi: '/v1/registry/categories', call: () => ({ method: 'GET', path: '/v1/registry/categories' }), expect: open },
  { route: 'POST /v1/services/stable-diffusion/generate', openapi: '/v1/services/stable-diffusion/generate', call: () => ({ method: 'POST', path: '/v1/services/stable-diffusion/generate', json: { prompt: 'a fox' } }), expect: clients(201) },
  { route: 'POST /v1/services/llm/inference', openapi: '/v1/services/llm/inference', call: () => ({ method: 'POST', path: '/v1/services/llm/inference', json: { model: 'llama-7b', prompt: 'hi' } }), expect: clients(201) },
  { route: 'POST /v1/services/ffmpeg/transcode', openapi: '/v1/services/ffmpeg/transcode', call: () => ({ method: 'POST', path: '/v1/services/ffmpeg/transcode', json: { input_url: 'https://example.com/in.mov' } }), expect: clients(201) },
  { route: 'POST /v1/services/blender/render', openapi: '/v1/services/blender/render', call: () => ({ method: 'POST', path: '/v1/services/blender/render', json: { blend_file_url: 'https://example.com/s.blend' } }), expect: clients(201) },
  { route: 'GET /v1/registry/services/{unknown}/schema', openapi: null, call: () => ({ method: 'GET', path: '/v1/registry/services/no_such_service/schema' }), expect: openNotFound },
  { route: 'GET /v1/jobs', openapi: '/v1/jobs', call: () => ({ method: 'GET', path: '/v1/jobs' }), expect: clients(200) },
  { route: 'GET /v1/jobs/{job_id}', openapi: '/v1/jobs/{job_id}', call: (f) => ({ method: 'GET', path: `/v1/jobs/${f.done.job_id}` }), expect: aliceOnly(200) },
  { route: 'GET /v1/jobs/{unknown}', openapi: null, call: () => ({ method: 'GET', path: '/v1/jobs/no-such-job' }), expect: aliceOnly(404) },
  { route: 'GET /v1/jobs/{job_id}/result', openapi: '/v1/jobs/{job_id}/result', call: (f) => ({ method: 'GET', path: `/v1/jobs/${f.done.job_id}/result` }), expect: aliceOnly(200) },
  { route: 'GET /v1/jobs/{queued}/result', openapi: null, call: (f) => ({ method: 'GET', path: `/v1/jobs/${f.queued.job_id}/result` }), expect: aliceOnly(409), codes: { alice: 'JOB_NOT_READY' } },
  { route: 'GET /v1/jobs/{job_id}/receipt', openapi: '/v1/jobs/{job_id}/receipt', call: (f) => ({ method: 'GET', path: `/v1/jobs/${f.done.job_id}/receipt` }), expect: aliceOnly(200) },
  { route: 'GET /v1/jobs/{queued}/receipt', openapi: null, call: (f) => ({ method: 'GET', path: `/v1/jobs/${f.queued.job_id}/receipt` }), expect: aliceOnly(404) },
  { route: 'GET /v1/jobs/{job_id}/receipts', openapi: '/v1/jobs/{job_id}/receipts', call: (f) => ({ method: 'GET', path: `/v1/jobs/${f.done.job_id}/receipts` }), expect: aliceOnly(200) },
  { route: 'POST /v1/jobs/{done}/cancel', openapi: null, call: (f) => ({ method: 'POST', path: `/v1/jobs/${f.done.job_id}/cancel` }), expect: aliceOnly(409), codes: { alice: 'JOB_TERMINAL' } },
  { route: 'POST /v1/jobs/{job_id}/cancel', openapi: '/v1/jobs/{job_id}/cancel', call: (f) => ({ method: 'POST', path: `/v1/jobs/${f.toCancel.job_id}/cancel` }), expect: aliceOnly(200) },
  { route: 'POST /v1/miners/register', openapi: '/v1/miners/register', call: () => ({ method: 'POST', path: '/v1/miners/register', json: { capabilities: { gpus: [] }, concurrency: 4 } }), expect: minerOnly(200) },
  { route: 'POST /v1/miners/heartbeat', openapi: '/v1/miners/heartbeat', call: () => ({ method: 'POST', path: '/v1/miners/heartbeat', json: {} }), expect: minerOnly(200) },
  { route: 'POST /v1/miners/poll', openapi: '/v1/miners/poll', call: () => ({ method: 'POST', path: '/v1/miners/poll', json: { max_wait_seconds: 0 } }), expect: minerOnly(200) },
  { route: 'POST /v1/miners/{job_id}/progress', openapi: '/v1/miners/{job_id}/progress', call: (f) => ({ method: 'POST', path: `/v1/miners/${f.toComplete.job_id}/progress`, json: { lease_id: f.toComplete.lease_id, progress: 50, message: 'half' } }), expect: minerOnly(200) },
  { route: 'POST /v1/miners/{job_id}/result', openapi: '/v1/miners/{job_id}/result', call: (f) => ({ method: 'POST', path: `/v1/miners/${f.toComplete.job_id}/result`, json: { lease_id: f.toComplete.lease_id, result: { ok: 1 } } }), expect: minerOnly(200) },
  { route: 'POST /v1/miners/{job_id}/fail', openapi: '/v1/miners/{job_id}/fail', call: (f) => ({ method: 'POST', path: `/v1/miners/${f.toFail.job_id}/fail`, json: { lease_id: f.toFail.lease_id, error_code: 'OOM', error_message: 'out of memory' } }), expect: minerOnly(200) },
  { route: 'POST /v1/miners/{done}/fail (stale lease)', openapi: null, call: (f) => ({ method: 'POST', path: `/v1/miners/${f.done.job_id}/fail`, json: { lease_id: f.done.lease_id, error_code: 'X', error_message: 'late' } }), expect: minerOnly(409), codes: { miner: 'LEASE_LOST' } },
  { route: 'GET /v1/admin/stats', openapi: '/v1/admin/stats', call: () => ({ method: 'GET', path: '/v1/admin/stats' }), expect: adminOnly },
  { route: 'GET /v1/admin/jobs', openapi: '/v1/admin/jobs', call: () => ({ method: 'GET', path: '/v1/admin/jobs?client_id=alice' }), expect: adminOnly },
  { route: 'GET /v1/admin/miners', openapi: '/v1/admin/miners', call: () => ({ method: 'GET', path: '/v1/admin/miners' }), expect: adminOnly },
  { route: 'POST /v1/miners/drain', openapi: '/v1/miners/drain', call: () => ({ method: 'POST', path: '/v1/miners/drain' }), expect: minerOnly(200) },
];

describe('HTTP contract (embedded database)', () => {
  let server: RunningServer;
  let http: Http;
  let keys: Keys;
  let f: Fixtures;
  const keyOf = (c: Caller): string | null =>
    ({
      anon: null,
      stranger: STRANGER_KEY,
      alice: keys.clients.alice as string,
      bob: keys.clients.bob as string,
      miner: keys.miners.miner as string,
      admin: keys.admins.admin as string,
    })[c];

  beforeAll(async () => {
    keys = makeKeys(['alice', 'bob'], ['miner', 'idle', 'worker', 'nul']);
    server = await startServer({
      db: 'embedded',
      env: { ...keyEnv(keys), MAX_BODY_BYTES: '4096' },
    });
    http = new Http(server.baseUrl, [...allSecrets(keys), STRANGER_KEY]);
    const alice = keyOf('alice') as string;
    const miner = keyOf('miner') as string;
    await submitJob(http, alice, { payload: { task: 'done' } });
    await registerMiner(http, miner, 4);
    const done = (await poll(http, miner)) as AssignedJob;
    await postResult(http, miner, done);
    await submitJob(http, alice, { payload: { task: 'complete me' } });
    await submitJob(http, alice, { payload: { task: 'fail me' } });
    const toComplete = (await poll(http, miner)) as AssignedJob;
    const toFail = (await poll(http, miner)) as AssignedJob;
    const nowhere = { constraints: { region: 'nowhere' } };
    const queued = await submitJob(http, alice, { payload: { task: 'wait' }, ...nowhere });
    const toCancel = await submitJob(http, alice, { payload: { task: 'cancel me' }, ...nowhere });
    f = { done, toComplete, toFail, queued, toCancel };
    expect(toComplete.payload).toEqual({ task: 'complete me' });
    expect(toFail.payload).toEqual({ task: 'fail me' });
  });
  afterEach(() => {
    // Every response of every test: no stack trace, no raw key, no 500, errors as {code, message}.
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  describe('route × caller matrix', () => {
    for (const row of ROWS) {
      it(row.route, async () => {
        const callers = [...CALLERS].sort((a, b) => ok(row.expect[a]) - ok(row.expect[b]));
        const actual: Partial<Record<Caller, string>> = {};
        const wanted: Partial<Record<Caller, string>> = {};
        for (const caller of callers) {
          const { method, path, json } = row.call(f);
          const r = await http.call<ErrorBody>(method, path, { key: keyOf(caller), json });
          const status = row.expect[caller];
          const code = row.codes?.[caller] ?? CODE_BY_STATUS[status];
          wanted[caller] = status >= 400 ? `${status} ${code}` : String(status);
          actual[caller] = r.status >= 400 ? `${r.status} ${r.body.code}` : String(r.status);
        }
        expect(actual).toEqual(wanted);
      });
    }
  });

  it('answers 404 for another client’s job exactly as for a job that does not exist', async () => {
    const bob = keyOf('bob');
    const theirs = await http.get<ErrorBody>(`/v1/jobs/${f.queued.job_id}`, bob);
    const missing = await http.get<ErrorBody>(
      `/v1/jobs/${f.queued.job_id.replace(/.$/, 'x')}`,
      bob,
    );
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.code).toBe(missing.body.code);
    expect(theirs.body.message.replaceAll(f.queued.job_id, 'ID')).toBe(
      missing.body.message.replaceAll(f.queued.job_id.replace(/.$/, 'x'), 'ID'),
    );
  });

  it('answers 409 MINER_NOT_REGISTERED to a miner that never registered', async () => {
    const idle = keys.miners.idle as string;
    for (const path of ['/v1/miners/heartbeat', '/v1/miners/poll']) {
      const r = await http.post<ErrorBody>(path, {}, idle);
      expect([path, r.status, r.body.code]).toEqual([path, 409, 'MINER_NOT_REGISTERED']);
    }
  });

  it('refuses a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE, with or without a length', async () => {
    const alice = keyOf('alice');
    const big = { payload: { blob: 'x'.repeat(5000) } };
    const sized = await http.post<ErrorBody>('/v1/jobs', big, alice);
    expect([sized.status, sized.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

    // Chunked, without a Content-Length. One chunk a little over the limit: with more, the
    // server may answer 413 and close while the client is still writing (EPIPE, no answer).
    const bytes = new TextEncoder().encode(JSON.stringify({ payload: { blob: 'y'.repeat(4200) } }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const res = await fetch(`${server.baseUrl}/v1/jobs`, {
      method: 'POST',
      headers: { 'x-api-key': alice as string, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    http.inspect('POST /v1/jobs (chunked)', res, text, JSON.parse(text));
    expect([res.status, JSON.parse(text).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

    const under = await http.post('/v1/jobs', { payload: { blob: 'z'.repeat(3900) } }, alice);
    expect(under.status).toBe(201);
  });

  it('refuses malformed JSON with 400 MALFORMED_REQUEST', async () => {
    const headers = { 'content-type': 'application/json' };
    for (const raw of ['{"payload":', '{"payload":{}} trailing', "{'payload':{}}", '[1,2', 'nul']) {
      const r = await http.call<ErrorBody>('POST', '/v1/jobs', {
        key: keyOf('alice'),
        raw,
        headers,
      });
      expect([raw, r.status, r.body.code]).toEqual([raw, 400, 'MALFORMED_REQUEST']);
    }
  });

  it('refuses JSON nested 40 deep with 400, and accepts 20 deep', async () => {
    const nest = (depth: number, leaf: unknown, arrays = false): unknown =>
      depth === 0 ? leaf : arrays ? [nest(depth - 1, leaf, true)] : { a: nest(depth - 1, leaf) };
    const alice = keyOf('alice');
    const deepObject = await http.post<ErrorBody>('/v1/jobs', { payload: nest(40, 1) }, alice);
    expect(deepObject.status).toBe(400);
    const deepArray = await http.post<ErrorBody>(
      '/v1/jobs',
      { payload: { a: nest(40, 1, true) } },
      alice,
    );
    expect(deepArray.status).toBe(400);
    const deepResult = await http.post<ErrorBody>(
      `/v1/miners/${f.done.job_id}/result`,
      { lease_id: f.done.lease_id, result: nest(40, 'r') },
      keyOf('miner'),
    );
    expect(deepResult.status).toBe(400);
    expect((await http.post('/v1/jobs', { payload: nest(20, 1) }, alice)).status).toBe(201);
  });

  it('refuses unknown fields and wrong types with 400 VALIDATION_FAILED naming each path', async () => {
    const alice = keyOf('alice');
    const miner = keyOf('miner');
    // Registers go through the spare key: should one be wrongly accepted, `miner` stays DRAINING.
    const spare = keys.miners.idle as string;
    const gpu = (vram: unknown) => ({
      capabilities: { gpus: [{ model: 'x', vram_gb: vram }] },
      concurrency: 1,
    });
    // biome-ignore format: a table
    const cases: [string, string, unknown, string | null, string][] = [
      ['POST', '/v1/jobs', { payload: {}, colour: 'red' }, alice, 'colour'],
      ['POST', '/v1/jobs', { payload: {}, constraints: { gpu: 'any', vram: 8 } }, alice, 'constraints.vram'],
      ['POST', '/v1/jobs', { payload: {}, priority: 'high' }, alice, 'priority'],
      ['POST', '/v1/jobs', { payload: {}, ttl_seconds: 1.5 }, alice, 'ttl_seconds'],
      ['POST', '/v1/jobs', { payload: [] }, alice, 'payload'],
      ['POST', '/v1/jobs', { priority: 1 }, alice, 'payload'],
      ['POST', '/v1/miners/register', gpu(-1), spare, 'capabilities.gpus.0.vram_gb'],
      ['POST', '/v1/miners/poll', { max_wait_seconds: 'soon' }, miner, 'max_wait_seconds'],
      ['POST', '/v1/miners/heartbeat', { mood: 'good' }, miner, 'mood'],
      ['GET', '/v1/jobs?state=DONE', undefined, alice, 'state'],
      ['GET', '/v1/jobs?limit=abc', undefined, alice, 'limit'],
      ['GET', '/v1/jobs?limit=0', undefined, alice, 'limit'],
      ['GET', '/v1/jobs?limit=101', undefined, alice, 'limit'],
      ['GET', '/v1/jobs?colour=red', undefined, alice, 'colour'],
      // Regression: trpc-to-openapi's REST adapter coerced JSON bodies to the schema's
      // primitive types (it set zod's coerce flag on every number/boolean field), so these wrong
      // types were accepted. The coordinator now serves REST with its own adapter.
      ['POST', '/v1/jobs', { payload: {}, priority: '3' }, alice, 'priority'],
      ['POST', '/v1/jobs', { payload: {}, ttl_seconds: true }, alice, 'ttl_seconds'],
      ['POST', '/v1/jobs', { payload: {}, max_attempts: [2] }, alice, 'max_attempts'],
      ['POST', '/v1/jobs', { payload: {}, constraints: { min_vram_gb: '24' } }, alice, 'constraints.min_vram_gb'],
      ['POST', '/v1/miners/register', { capabilities: { gpus: [] }, concurrency: '4' }, spare, 'concurrency'],
      ['POST', '/v1/miners/register', gpu('24'), spare, 'capabilities.gpus.0.vram_gb'],
    ];
    const actual: unknown[] = [];
    const wanted: unknown[] = [];
    for (const [method, path, json, key, field] of cases) {
      const r = await http.call<ErrorBody>(method, path, { key, json });
      const paths = r.status === 400 ? (r.body.issues?.map((i) => i.path) ?? []) : r.text;
      actual.push([method, path, json, r.status, r.body.code, paths]);
      wanted.push([method, path, json, 400, 'VALIDATION_FAILED', [field]]);
    }
    expect(actual).toEqual(wanted);
    expect((await http.get('/v1/jobs?limit=100', alice)).status).toBe(200);
  });

  // Regression: `retryable: "false"` was coerced to true (Boolean("false")), so the job was
  // requeued although the miner said it must not be retried.
  it('refuses retryable: "false" (a string) instead of reading it as true', async () => {
    const worker = keys.miners.worker as string;
    await registerMiner(http, worker, 1);
    const job = await submitJob(http, keyOf('alice') as string, { payload: {}, priority: 1000 });
    const held = (await poll(http, worker)) as AssignedJob;
    expect(held.job_id).toBe(job.job_id);
    const fail = (retryable: unknown) =>
      http.post<ErrorBody>(
        `/v1/miners/${job.job_id}/fail`,
        {
          lease_id: held.lease_id,
          error_code: 'BAD_INPUT',
          error_message: 'do not retry this',
          retryable,
        },
        worker,
      );
    const r = await fail('false');
    const after = await http.get<JobView>(`/v1/jobs/${job.job_id}`, keyOf('alice'));
    expect([r.status, r.body.code, after.body.state]).toEqual([
      400,
      'VALIDATION_FAILED',
      'RUNNING',
    ]);
    expect((await fail(false)).status).toBe(200);
    const failed = await http.get<JobView>(`/v1/jobs/${job.job_id}`, keyOf('alice'));
    expect([failed.body.state, failed.body.error?.code]).toEqual(['FAILED', 'BAD_INPUT']);
  });

  // Regression: valid JSON that PostgreSQL cannot store (a \u0000 in a string or key, a lone
  // surrogate; jsonb error 22P05) or a number that overflows to Infinity answered 500 INTERNAL
  // on submit, result, fail, heartbeat and register. It is now refused with a 400.
  it('never answers 500 to valid JSON the database cannot store as is', async () => {
    const alice = keyOf('alice') as string;
    const nul = keys.miners.nul as string;
    await registerMiner(http, nul, 1);
    const job = await submitJob(http, alice, { payload: {}, priority: 1000 });
    const held = (await poll(http, nul)) as AssignedJob;
    expect(held.job_id).toBe(job.job_id);
    const lease = JSON.stringify(held.lease_id);
    const cases: [string, string, string, string][] = [
      ['submit: NUL in a string', '/v1/jobs', alice, '{"payload":{"text":"a\\u0000b"}}'],
      ['submit: NUL in a key', '/v1/jobs', alice, '{"payload":{"\\u0000":1}}'],
      ['submit: lone surrogate', '/v1/jobs', alice, '{"payload":{"text":"\\ud800"}}'],
      ['submit: number overflowing to Infinity', '/v1/jobs', alice, '{"payload":{"n":1e400}}'],
      [
        'register: NUL in a GPU model',
        '/v1/miners/register',
        nul,
        '{"capabilities":{"gpus":[{"model":"a\\u0000","vram_gb":8}]},"concurrency":1}',
      ],
      [
        'heartbeat: NUL in metadata',
        '/v1/miners/heartbeat',
        nul,
        '{"metadata":{"log":"a\\u0000b"}}',
      ],
      [
        'result: NUL in the result',
        `/v1/miners/${job.job_id}/result`,
        nul,
        `{"lease_id":${lease},"result":{"text":"a\\u0000b"}}`,
      ],
      [
        'result: number overflowing to Infinity',
        `/v1/miners/${job.job_id}/result`,
        nul,
        `{"lease_id":${lease},"result":{"n":1e400}}`,
      ],
      [
        'result: NUL in a metric',
        `/v1/miners/${job.job_id}/result`,
        nul,
        `{"lease_id":${lease},"result":1,"metrics":{"note":"a\\u0000"}}`,
      ],
      [
        'fail: NUL in the message',
        `/v1/miners/${job.job_id}/fail`,
        nul,
        `{"lease_id":${lease},"error_code":"X","error_message":"a\\u0000b","retryable":true}`,
      ],
    ];
    const got: string[] = [];
    for (const [what, path, key, raw] of cases) {
      const headers = { 'content-type': 'application/json' };
      const r = await http.call<ErrorBody>('POST', path, { key, raw, headers });
      got.push(`${what}: ${r.status >= 500 ? `${r.status} ${r.body.code}` : 'not 5xx'}`);
    }
    // Reported once, here: keep the other checks of these answers, drop their 500 entries.
    const others = http.violations.filter((v) => !v.includes(': 500 '));
    http.violations.splice(0, http.violations.length, ...others);
    expect(got).toEqual(cases.map(([what]) => `${what}: not 5xx`));
  });

  it('accepts Authorization: Bearer exactly like X-Api-Key', async () => {
    const probes: [Caller, string, 'GET' | 'POST', unknown][] = [
      ['alice', '/v1/jobs?limit=5', 'GET', undefined],
      ['admin', '/v1/admin/miners', 'GET', undefined],
      ['miner', '/v1/miners/heartbeat', 'POST', {}],
    ];
    for (const [caller, path, method, json] of probes) {
      const direct = await http.call(method, path, { key: keyOf(caller), json });
      const bearer = await http.call(method, path, { key: keyOf(caller), json, bearer: true });
      const lower = await http.call(method, path, {
        json,
        headers: { authorization: `bearer ${keyOf(caller)}` },
      });
      expect([path, bearer.status, lower.status]).toEqual([path, direct.status, direct.status]);
      if (method === 'GET') expect(bearer.body).toEqual(direct.body);
    }
    const wrong = await http.get<ErrorBody>('/v1/jobs', 'not-a-key', { bearer: true });
    expect([wrong.status, wrong.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const wrongRole = await http.get<ErrorBody>('/v1/jobs', keyOf('miner'), { bearer: true });
    expect([wrongRole.status, wrongRole.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('cancels with a bodiless POST (no body, no Content-Type), and with an empty JSON body', async () => {
    const alice = keyOf('alice') as string;
    const nowhere = { payload: {}, constraints: { region: 'nowhere' } };
    const a = await submitJob(http, alice, nowhere);
    const res = await fetch(`${server.baseUrl}/v1/jobs/${a.job_id}/cancel`, {
      method: 'POST',
      headers: { 'x-api-key': alice },
    });
    const text = await res.text();
    http.inspect('POST cancel (bodiless)', res, text, JSON.parse(text));
    expect([res.status, JSON.parse(text).state]).toEqual([200, 'CANCELED']);

    const b = await submitJob(http, alice, nowhere);
    const empty = await http.call<JobView>('POST', `/v1/jobs/${b.job_id}/cancel`, {
      key: alice,
      raw: '',
      headers: { 'content-type': 'application/json' },
    });
    expect([empty.status, empty.body.state]).toEqual([200, 'CANCELED']);
  });

  it('replays an Idempotency-Key: 201, idempotent-replayed: true, the same body', async () => {
    const alice = keyOf('alice') as string;
    const headers = { 'idempotency-key': 'order-42' };
    const body = { payload: { a: 1, b: [1, 2] }, priority: 3, constraints: { region: 'nowhere' } };
    const first = await http.post<JobView>('/v1/jobs', body, alice, { headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await http.post<JobView>('/v1/jobs', body, alice, { headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);

    // The same JSON value in other bytes is the same request.
    const reordered = `{ "constraints": {"region":"nowhere"}, "priority": 3,\n "payload": {"b":[1,2],"a":1} }`;
    const same = await http.call<JobView>('POST', '/v1/jobs', {
      key: alice,
      raw: reordered,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    expect([same.status, same.headers.get('idempotent-replayed'), same.body]).toEqual([
      201,
      'true',
      first.body,
    ]);

    const changed = await http.post<ErrorBody>('/v1/jobs', { ...body, priority: 4 }, alice, {
      headers,
    });
    expect([changed.status, changed.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);

    // Keys are scoped to the client: bob's order-42 is a job of its own.
    const bobs = await http.post<JobView>('/v1/jobs', body, keyOf('bob'), { headers });
    expect(bobs.status).toBe(201);
    expect(bobs.headers.get('idempotent-replayed')).toBeNull();
    expect(bobs.body.job_id).not.toBe(first.body.job_id);

    const tooLong = await http.post<ErrorBody>('/v1/jobs', body, alice, {
      headers: { 'idempotency-key': 'k'.repeat(256) },
    });
    expect(tooLong.status).toBe(400);
  });

  it('serves an OpenAPI 3.x document listing every route, each of which answers', async () => {
    const r = await http.get<OpenApiDoc>('/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routes = ROWS.filter((row) => row.openapi !== null).map(
      (row) => `${row.route.split(' ')[0]} ${row.openapi}`,
    );
    // The route × caller matrix covers every route of the document, and nothing else.
    expect([...new Set(routes)].sort()).toEqual([...listed].sort());

    // Called without a key, a route the document marks as secured answers 401, any other
    // answers without an error: so the document's security agrees with the server. Path
    // parameters get a value that exists; a route with a new kind of parameter needs one here.
    const sample: Record<string, string> = { job_id: f.done.job_id, id: 'llm_inference' };
    const got: string[] = [];
    const wanted: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const url = path.replace(
          /\{(\w+)\}/g,
          (_, name: string) => sample[name] ?? `{no sample ${name}}`,
        );
        const secured = (op.security ?? doc.security ?? []).length > 0;
        const res = await http.call<ErrorBody>(method.toUpperCase(), url, {
          json: method === 'post' ? {} : undefined,
        });
        got.push(`${method.toUpperCase()} ${url} → ${res.status}`);
        wanted.push(`${method.toUpperCase()} ${url} → ${secured ? 401 : 200}`);
      }
    }
    expect(got).toEqual(wanted);
  });

  it('serves /docs as HTML whose assets all come from this server', async () => {
    const r = await http.get<string>('/docs');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    // What the page loads (scripts, styles, images): all from here, none from another host.
    const refs = [
      ...r.text.matchAll(
        /<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']/gi,
      ),
    ].map((m) => m[1] as string);
    expect(refs.filter((ref) => ref.endsWith('.js')).length).toBeGreaterThan(0);
    expect(refs.filter((ref) => /^(https?:)?\/\//i.test(ref))).toEqual([]);
    for (const ref of refs) {
      const asset = await fetch(new URL(ref, `${server.baseUrl}/docs/`));
      await asset.arrayBuffer();
      expect([ref, asset.status]).toEqual([ref, 200]);
    }
    // The page renders the served document: its initializer loads ./json, which is that document.
    const initializer = refs.find((ref) => ref.includes('initializer'));
    expect(initializer).toBeDefined();
    const script = await (
      await fetch(new URL(initializer as string, `${server.baseUrl}/docs/`))
    ).text();
    const code = script.replace(/^\s*\/\/.*$/gm, ''); // comments may cite web pages
    expect(code).not.toMatch(/["'`]https?:\/\//i);
    const served = await http.get('/docs/json');
    expect(served.body).toEqual((await http.get('/openapi.json')).body);
  });

  it('shows every JobView and AssignedJob field, absent values as null, times with an offset', async () => {
    const job = await submitJob(http, keyOf('alice') as string, {
      payload: {},
      constraints: { region: 'nowhere' },
    });
    expect(Object.keys(job).sort()).toEqual([...JOB_VIEW_FIELDS].sort());
    expect(job).toMatchObject({
      state: 'QUEUED',
      attempt: 0,
      service: null,
      assigned_miner_id: null,
      started_at: null,
      completed_at: null,
      error: null,
    });
    const done = await http.get<JobView>(`/v1/jobs/${f.done.job_id}`, keyOf('alice'));
    expect(Object.keys(done.body).sort()).toEqual([...JOB_VIEW_FIELDS].sort());
    for (const t of [
      job.requested_at,
      job.expires_at,
      done.body.started_at,
      done.body.completed_at,
    ]) {
      expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    }
    expect(done.body).toMatchObject({ state: 'COMPLETED', attempt: 1, assigned_miner_id: 'miner' });
    expect(Object.keys(f.done).sort()).toEqual(
      [
        'job_id',
        'lease_id',
        'attempt',
        'lease_expires_at',
        'service',
        'payload',
        'constraints',
      ].sort(),
    );
    const list = await http.get<Record<string, unknown>>('/v1/jobs?limit=1', keyOf('alice'));
    expect(Object.keys(list.body).sort()).toEqual(['items', 'next_cursor']);
    expect(typeof list.body.next_cursor).toBe('string');
  });

  it('serves the registry and the typed endpoints over REST, validating as the contract says', async () => {
    const alice = keyOf('alice');
    const bad = await http.get<ErrorBody>('/v1/registry/services?category=cooking');
    expect([bad.status, bad.body.code, bad.body.issues?.map((i) => i.path)]).toEqual([
      400,
      'VALIDATION_FAILED',
      ['category'],
    ]);
    const list = await http.get<{ items: { id: string; category: string }[] }>(
      '/v1/registry/services?category=media_processing',
    );
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((s) => s.category === 'media_processing')).toBe(true);
    const schema = await http.get<Record<string, unknown>>(
      '/v1/registry/services/3d_rendering/schema',
    );
    expect(schema.body).toMatchObject({ type: 'object', required: ['blend_file_url'] });

    const tooMany = await http.post<ErrorBody>(
      '/v1/services/stable-diffusion/generate',
      { prompt: 'a fox', num_images: 5 },
      alice,
    );
    expect([tooMany.status, tooMany.body.issues?.map((i) => i.path)]).toEqual([
      400,
      ['num_images'],
    ]);
    const created = await http.post<Record<string, unknown>>(
      '/v1/services/llm/inference',
      { model: 'llama-70b', prompt: 'hi', max_tokens: 100 },
      alice,
    );
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(
      ['job_id', 'service', 'state', 'expires_at', 'estimated_price'].sort(),
    );
    expect(created.body).toMatchObject({ service: 'llm_inference', state: 'QUEUED' });
    const job = await http.get<JobView>(`/v1/jobs/${created.body.job_id}`, alice);
    expect(job.body.constraints).toEqual({ gpu: 'nvidia', min_vram_gb: 64, cuda: '11.8' });
    expect(job.body.estimated_price).toBe(created.body.estimated_price);
  });

  it('signs receipts that the job’s owner can read back unchanged', async () => {
    const receipt = await http.get<Receipt>(`/v1/jobs/${f.done.job_id}/receipt`, keyOf('alice'));
    const list = await http.get<{ items: Receipt[] }>(
      `/v1/jobs/${f.done.job_id}/receipts`,
      keyOf('alice'),
    );
    expect(list.body.items).toEqual([receipt.body]);
    expect(receipt.body).toMatchObject({
      job_id: f.done.job_id,
      client: 'alice',
      provider: 'miner',
    });
  });
});

const JOB_VIEW_FIELDS = [
  'job_id',
  'state',
  'service',
  'constraints',
  'priority',
  'attempt',
  'max_attempts',
  'assigned_miner_id',
  'requested_at',
  'started_at',
  'completed_at',
  'expires_at',
  'error',
  'estimated_price',
];

interface OpenApiDoc {
  openapi: string;
  security?: unknown[];
  paths: Record<string, Record<string, { security?: unknown[] }>>;
}

const ok = (status: number) => (status < 300 ? 1 : 0);
