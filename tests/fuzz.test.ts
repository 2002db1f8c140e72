import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allSecrets,
  keyEnv,
  makeKeys,
  poll,
  postResult,
  registerMiner,
  submitJob,
} from './support/actors.js';
import { Http } from './support/http.js';
import { createDatabase, type OwnDatabase, postgresEnabled } from './support/postgres.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';

/**
 * Property-based fuzz of every REST route of the OpenAPI document: thousands of malformed
 * requests (bodies of any JSON or none, broken JSON, known fields with values of any type,
 * unknown query parameters, hostile path parameters, every caller). Whatever is sent, the server
 * answers with no 5xx, errors are `{code, message}` without a stack trace or a key, and its
 * memory does not grow with the number of requests.
 */
interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: { 'application/json': { schema: { properties?: object } } } };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const DOC = JSON.parse(
  readFileSync(new URL('../apps/coordinator/generated/openapi.json', import.meta.url), 'utf8'),
) as Document;
const ROUTES = Object.entries(DOC.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);
/** ~2.5k requests in all: enough to find a 5xx, small enough for CI (< 60 s). */
const RUNS_PER_ROUTE = Math.ceil(2500 / ROUTES.length);

const keys = makeKeys(['alice'], ['miner']);
type Caller = 'anon' | 'alice' | 'miner' | 'admin';
const KEY: Record<Caller, string | null> = {
  anon: null,
  alice: keys.clients.alice as string,
  miner: keys.miners.miner as string,
  admin: keys.admins.admin as string,
};

/** Values that break naive code: huge, negative, empty, non-ASCII, NUL, lone surrogates, deep. */
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    '../../etc/passwd',
    "' or 1=1 --",
    'x'.repeat(5000),
    -1,
    0,
    1e308,
    2 ** 53,
    -0.5,
    true,
    null,
    [],
    {},
    { __proto__: { admin: true } },
  ),
);
const pathParam = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('', '%00', '..', '%2e%2e%2f', 'ü', '0'.repeat(300)),
);

function bodyArbitrary(op: Operation) {
  const schema = op.requestBody?.content['application/json'].schema;
  const known = Object.keys(schema?.properties ?? {});
  const fields = known.length > 0 ? fc.constantFrom(...known, 'state', 'attempt') : fc.string();
  return fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.dictionary(fields, nasty, { maxKeys: 6 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }), // mostly not JSON at all
    fc.integer({ min: 30, max: 60 }).map((d) => `${'['.repeat(d)}1${']'.repeat(d)}`),
  );
}

function queryArbitrary(op: Operation) {
  const known = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  return fc.dictionary(fc.constantFrom(...known, 'limit', 'cursor', 'x'), fc.string(), {
    maxKeys: 4,
  });
}

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return Number(line?.[1] ?? 0);
}

describe('fuzzing every REST route from the OpenAPI document', () => {
  let db: OwnDatabase | null = null;
  let server: RunningServer;
  let http: Http;
  let jobId: string;
  beforeAll(async () => {
    db = postgresEnabled() ? await createDatabase() : null;
    server = await startServer({
      ...(db ? { db: 'postgres' as const, databaseUrl: db.url } : { db: 'embedded' as const }),
      env: { ...keyEnv(keys), RATE_LIMIT_REQUESTS: '0', LONG_POLL_MAX_SECONDS: '0' },
    });
    http = new Http(server.baseUrl, allSecrets(keys));
    await submitJob(http, KEY.alice as string);
    await registerMiner(http, KEY.miner as string, 2);
    const job = await poll(http, KEY.miner as string);
    if (!job) throw new Error('no job to fuzz with');
    await postResult(http, KEY.miner as string, job);
    jobId = job.job_id;
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
    cleanupTempDirs();
  });

  it('never answers 5xx, and keeps its memory', { timeout: 120_000 }, async () => {
    const sendOne = async (
      route: (typeof ROUTES)[number],
      caller: Caller,
      params: string[],
      query: Record<string, string>,
      body: string | undefined,
    ) => {
      let i = 0;
      const url = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(params[i++] ?? jobId));
      const qs = new URLSearchParams(query).toString();
      const target = route.method === 'GET' && qs ? `${url}?${qs}` : url;
      const key = KEY[caller];
      const headers: Record<string, string> =
        body === undefined ? {} : { 'content-type': 'application/json' };
      const res = await http.call(route.method, target, {
        ...(key ? { key } : {}),
        headers,
        ...(route.method === 'POST' && body !== undefined ? { raw: body } : {}),
      });
      return res.status;
    };
    const run = async (seed: number) => {
      for (const route of ROUTES) {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom<Caller>('anon', 'alice', 'alice', 'miner', 'admin'),
            fc.array(fc.oneof(pathParam, fc.constant(jobId)), { minLength: 1, maxLength: 2 }),
            queryArbitrary(route.op),
            bodyArbitrary(route.op),
            async (caller, params, query, body) => {
              const status = await sendOne(route, caller, params, query, body);
              expect(status).toBeLessThan(500);
            },
          ),
          { numRuns: RUNS_PER_ROUTE, seed },
        );
      }
    };
    await run(1); // warm-up: code paths compiled, pools and caches filled
    const before = rssKb(server.pid);
    await run(2);
    const after = rssKb(server.pid);
    expect(http.violations).toEqual([]);
    // Growth beyond the warm-up is bounded (a leak per request would be ~2.5k × its size).
    expect(after - before, `RSS ${before} kB -> ${after} kB`).toBeLessThan(64 * 1024);
  });
});
