// Vendored from the shared bench kit (../shared/bench/reference/server.mjs), unchanged except:
// imports sorted (Biome's organizeImports fix, same behaviour), and reformatted to the repo's
// Biome style. Update from the kit, not here.
//
// The bare reference coordinator: the hot path of CONTRACT.md sections 3-4 and nothing else.
// No ORM, no validation library, no receipts, no sweepers. It is the ceiling ("physical limit") of this
// design on this box: Fastify + pg, one SQL statement per call, in-process long-poll wake-up.
//
//   DATABASE_URL=postgresql://bench:bench@127.0.0.1:5432/bench_ref[?schema=name]  PORT=8100  node reference/server.mjs
//
// Keys: CLIENT_API_KEYS / MINER_API_KEYS as in the contract (`name:key` or bare, comma-separated);
// unset means the bench defaults (client `ck_bench`, miners `mk_0..mk_9999`).

import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import Fastify from 'fastify';
import pg from 'pg';
import { DEFAULT_CLIENT_KEYS, defaultMinerKeys, parseKeySpec } from '../lib/keys.mjs';

const env = process.env;
const PORT = Number(env.PORT ?? 8100);
const HOST = env.HOST ?? '127.0.0.1';
const LEASE_SECONDS = Number(env.LEASE_SECONDS ?? 60);
const HEARTBEAT_INTERVAL_SECONDS = Number(env.HEARTBEAT_INTERVAL_SECONDS ?? 10);
const LONG_POLL_MAX_SECONDS = Number(env.LONG_POLL_MAX_SECONDS ?? 30);
const JOB_TTL_SECONDS = Number(env.JOB_TTL_SECONDS ?? 900);
const JOB_MAX_ATTEMPTS = Number(env.JOB_MAX_ATTEMPTS ?? 3);
if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required');

// ---- auth: a fixed map key -> { principal, role }. (The real one hashes and compares in constant time.)
const keys = new Map();
for (const [role, spec] of [
  ['client', env.CLIENT_API_KEYS ?? DEFAULT_CLIENT_KEYS],
  ['miner', env.MINER_API_KEYS ?? defaultMinerKeys().join(',')],
]) {
  for (const { key, principal } of parseKeySpec(spec)) keys.set(key, { principal, role });
}

// ---- database. `?schema=name` in DATABASE_URL selects (and creates) a schema instead of `public`.
const url = new URL(env.DATABASE_URL);
const schema = url.searchParams.get('schema');
url.searchParams.delete('schema');
if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('bad schema name');
const searchPath = schema ? ` -c search_path=${schema}` : '';
const pool = new pg.Pool({
  connectionString: url.toString(),
  max: Number(env.PG_POOL_MAX ?? 10),
  options: searchPath || undefined,
});
// Heartbeats get their own pool so that they alone can skip the WAL flush: synchronous_commit=off is the
// research's "fast" profile (a crash may lose the last ~0.2 s of heartbeat timestamps, never job state).
// HEARTBEAT_SYNC_COMMIT=on gives the "durable" profile.
const HEARTBEAT_SYNC_COMMIT = env.HEARTBEAT_SYNC_COMMIT === 'on' ? 'on' : 'off';
const hbPool = new pg.Pool({
  connectionString: url.toString(),
  max: Number(env.PG_HEARTBEAT_POOL_MAX ?? 10),
  options: `-c synchronous_commit=${HEARTBEAT_SYNC_COMMIT}${searchPath}`,
});
await pool.query(`
  ${schema ? `CREATE SCHEMA IF NOT EXISTS ${schema};` : ''}
  CREATE TABLE IF NOT EXISTS jobs (
    id uuid PRIMARY KEY, client_id text NOT NULL, state text NOT NULL, service text,
    payload jsonb NOT NULL, constraints jsonb, result jsonb,
    priority int NOT NULL DEFAULT 0, attempt int NOT NULL DEFAULT 0, max_attempts int NOT NULL,
    miner_id text, lease_id uuid,
    requested_at timestamptz NOT NULL DEFAULT now(), started_at timestamptz, completed_at timestamptz,
    expires_at timestamptz NOT NULL);
  CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (priority DESC, requested_at) WHERE state = 'QUEUED';
  CREATE TABLE IF NOT EXISTS miners (
    id text PRIMARY KEY, capabilities jsonb NOT NULL, concurrency int NOT NULL, region text,
    status text NOT NULL, inflight int NOT NULL DEFAULT 0, last_heartbeat timestamptz NOT NULL);`);

const CLAIM = `
  UPDATE jobs SET state = 'RUNNING', miner_id = $1, lease_id = $2, attempt = attempt + 1, started_at = now()
  WHERE id = (SELECT id FROM jobs WHERE state = 'QUEUED' AND expires_at > now()
              ORDER BY priority DESC, requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING id, attempt, service, payload, constraints`;
const COMPLETE = `
  UPDATE jobs SET state = 'COMPLETED', result = $3, completed_at = now()
  WHERE id = $1 AND lease_id = $2 AND miner_id = $4 AND state = 'RUNNING'`;

// ---- long-poll wake-up. A submit wakes exactly one waiting poll (FIFO); waking them all would make
// every idle poll run the claim query for one job. If no poll is waiting, a claim already in flight may
// have missed the new row (its snapshot predates the commit), so one retry token is left for such a claim;
// never more tokens than claims in flight, so nothing turns into busy polling of the database.
const bus = new EventEmitter();
const waiters = new Set();
let claimsInFlight = 0;
let retryTokens = 0;
bus.on('job_queued', () => {
  const [first] = waiters;
  if (first) first();
  else if (retryTokens < claimsInFlight) retryTokens++;
});
function waitForJob(ms, res) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
    waiters.add(done);
  });
}

const miners = new Map(); // principal -> { concurrency, inflight }; the coordinator, not the miner, counts in-flight jobs
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fail = (reply, status, code, message) => reply.code(status).send({ code, message });
const iso = (d) => (d ? d.toISOString() : null);

/** UUIDv7: time-ordered, so inserts land at the right edge of the primary-key index. */
function uuidv7() {
  const b = randomBytes(16);
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const app = Fastify({ logger: false, bodyLimit: 1 << 20, forceCloseConnections: true });
app.setErrorHandler((err, _req, reply) => {
  const status = err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  reply.code(status).send({ code: err.code ?? 'INTERNAL', message: err.message });
});
app.addHook('onRequest', async (req, reply) => {
  const role = req.url.startsWith('/v1/jobs')
    ? 'client'
    : req.url.startsWith('/v1/miners')
      ? 'miner'
      : null;
  if (!role) return;
  const auth = req.headers.authorization;
  const key = req.headers['x-api-key'] ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
  const entry = key && keys.get(key);
  if (!entry) return fail(reply, 401, 'UNAUTHORIZED', 'missing or unknown API key');
  if (entry.role !== role) return fail(reply, 403, 'FORBIDDEN', `a ${role} key is required`);
  req.principal = entry.principal;
});

app.get('/v1/health', async () => ({ status: 'ok', env: 'bench-reference' }));

app.post('/v1/jobs', async (req, reply) => {
  const b = req.body;
  if (!b || typeof b !== 'object' || b.payload === undefined)
    return fail(reply, 400, 'VALIDATION_ERROR', 'payload is required');
  const id = uuidv7();
  await pool.query(
    `INSERT INTO jobs (id, client_id, state, service, payload, constraints, priority, max_attempts, expires_at)
     VALUES ($1, $2, 'QUEUED', $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
    [
      id,
      req.principal,
      b.service ?? null,
      JSON.stringify(b.payload),
      JSON.stringify(b.constraints ?? {}),
      Number(b.priority) || 0,
      Number(b.max_attempts) || JOB_MAX_ATTEMPTS,
      Number(b.ttl_seconds) || JOB_TTL_SECONDS,
    ],
  );
  bus.emit('job_queued');
  return reply.code(201).send({ job_id: id, state: 'QUEUED' });
});

app.get('/v1/jobs/:job_id', async (req, reply) => {
  const { job_id } = req.params;
  const {
    rows: [j],
  } = UUID.test(job_id)
    ? await pool.query('SELECT * FROM jobs WHERE id = $1 AND client_id = $2', [
        job_id,
        req.principal,
      ])
    : { rows: [] };
  if (!j) return fail(reply, 404, 'JOB_NOT_FOUND', 'no such job');
  return {
    job_id: j.id,
    state: j.state,
    service: j.service,
    constraints: j.constraints,
    priority: j.priority,
    attempt: j.attempt,
    max_attempts: j.max_attempts,
    assigned_miner_id: j.miner_id,
    requested_at: iso(j.requested_at),
    started_at: iso(j.started_at),
    completed_at: iso(j.completed_at),
    expires_at: iso(j.expires_at),
    error: null,
  };
});

app.post('/v1/miners/register', async (req, reply) => {
  const b = req.body ?? {};
  const concurrency = Number(b.concurrency);
  if (!b.capabilities || !(concurrency >= 1))
    return fail(reply, 400, 'VALIDATION_ERROR', 'capabilities and concurrency >= 1 are required');
  await pool.query(
    `INSERT INTO miners (id, capabilities, concurrency, region, status, last_heartbeat) VALUES ($1, $2, $3, $4, 'ONLINE', now())
     ON CONFLICT (id) DO UPDATE SET capabilities = $2, concurrency = $3, region = $4, status = 'ONLINE', last_heartbeat = now()`,
    [req.principal, JSON.stringify(b.capabilities), concurrency, b.region ?? null],
  );
  miners.set(req.principal, { concurrency, inflight: 0 }); // (re-)registering starts from a clean slate
  return {
    miner_id: req.principal,
    heartbeat_interval_seconds: HEARTBEAT_INTERVAL_SECONDS,
    lease_seconds: LEASE_SECONDS,
  };
});

// Leases are tied to the miner's heartbeat (a lease is live while its miner heartbeats), so one
// UPDATE of the miner row extends all of them; the reference has no sweeper that would expire them.
app.post('/v1/miners/heartbeat', async (req, reply) => {
  const inflight = Number(req.body?.inflight) || 0;
  const r = await hbPool.query(
    'UPDATE miners SET last_heartbeat = now(), inflight = $2 WHERE id = $1',
    [req.principal, inflight],
  );
  if (r.rowCount === 0) return fail(reply, 404, 'MINER_NOT_REGISTERED', 'register first');
  return { status: 'ONLINE', cancel_job_ids: [] };
});

app.post('/v1/miners/poll', async (req, reply) => {
  const miner = miners.get(req.principal);
  if (!miner) return fail(reply, 409, 'MINER_NOT_REGISTERED', 'register first');
  const waitS = Math.min(
    Math.max(Number(req.body?.max_wait_seconds) || 0, 0),
    LONG_POLL_MAX_SECONDS,
  );
  const deadline = Date.now() + waitS * 1000;
  let gone = false;
  reply.raw.once('close', () => {
    gone = true;
  });
  for (;;) {
    if (miner.inflight >= miner.concurrency) {
      await sleep(Math.max(deadline - Date.now(), 0));
      return { job: null };
    }
    miner.inflight++; // reserve the slot before the claim so concurrent polls cannot exceed concurrency
    claimsInFlight++;
    const leaseId = randomUUID();
    let j;
    try {
      ({
        rows: [j],
      } = await pool.query(CLAIM, [req.principal, leaseId]));
    } finally {
      claimsInFlight--;
      if (!j) miner.inflight--;
    }
    if (j) {
      return {
        job: {
          job_id: j.id,
          lease_id: leaseId,
          attempt: j.attempt,
          lease_expires_at: new Date(Date.now() + LEASE_SECONDS * 1000).toISOString(),
          service: j.service,
          payload: j.payload,
          constraints: j.constraints,
        },
      };
    }
    const left = deadline - Date.now();
    if (left <= 0 || gone) return { job: null };
    if (retryTokens > 0) retryTokens--;
    else await waitForJob(left, reply.raw);
    if (gone) return { job: null };
  }
});

app.post('/v1/miners/:job_id/result', async (req, reply) => {
  const { job_id } = req.params;
  const { lease_id, result } = req.body ?? {};
  if (!UUID.test(job_id)) return fail(reply, 404, 'JOB_NOT_FOUND', 'no such job');
  if (typeof lease_id !== 'string' || !UUID.test(lease_id))
    return fail(reply, 400, 'VALIDATION_ERROR', 'lease_id is required');
  const r = await pool.query(COMPLETE, [
    job_id,
    lease_id,
    JSON.stringify(result ?? null),
    req.principal,
  ]);
  if (r.rowCount === 1) {
    const m = miners.get(req.principal);
    if (m) m.inflight = Math.max(m.inflight - 1, 0);
    return { status: 'ok', receipt: null };
  }
  const {
    rows: [j],
  } = await pool.query('SELECT state, lease_id FROM jobs WHERE id = $1', [job_id]);
  if (!j) return fail(reply, 404, 'JOB_NOT_FOUND', 'no such job');
  if (j.state === 'COMPLETED' && j.lease_id === lease_id) return { status: 'ok', receipt: null }; // idempotent repeat
  return fail(reply, 409, 'LEASE_LOST', 'the lease is not the current lease of this job');
});

await app.listen({ port: PORT, host: HOST });
console.error(
  `reference coordinator pid ${process.pid} on http://${HOST}:${PORT} (db ${url.pathname.slice(1)}${schema ? `, schema ${schema}` : ''}, pool ${pool.options.max}+${hbPool.options.max}, heartbeat synchronous_commit=${HEARTBEAT_SYNC_COMMIT})`,
);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    await app.close();
    await Promise.all([pool.end(), hbPool.end()]);
    process.exit(0);
  });
}
