import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  adminJobs,
  allSecrets,
  type Keys,
  keyEnv,
  listAll,
  makeKeys,
  registerMiner,
} from './support/actors.js';
import { Http } from './support/http.js';
import { createDatabase, type OwnDatabase, postgresEnabled } from './support/postgres.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import type {
  AdminMiner,
  AssignedJob,
  ErrorBody,
  JobView,
  Receipt,
  Stats,
} from './support/types.js';
import { until } from './support/wait.js';

/**
 * `kill -9` of the coordinator in the middle of a load, then a restart on the same PostgreSQL
 * database: what was acknowledged survived exactly, nothing is half-written, and the jobs that
 * were RUNNING when it died come back and can be finished.
 */

// Short leases so that jobs orphaned by the crash come back within seconds.
const LIVENESS = {
  HEARTBEAT_INTERVAL_SECONDS: '1',
  HEARTBEAT_TIMEOUT_SECONDS: '2',
  SWEEP_INTERVAL_MS: '200',
};
const KEYED = ['keyed1', 'keyed2'];
const PLAIN = ['plain1'];
const WORKERS = ['worker1', 'worker2', 'worker3'];

interface Load {
  /** Submits answered 201: job id by idempotency key (or a synthetic key for plain submits). */
  submitted: Map<string, { client: string; jobId: string; body: unknown }>;
  /** Keyed submits that never got an answer. */
  unanswered: Map<string, { client: string; body: unknown }>;
  /** Results answered 200, by job id. */
  completed: Map<string, Receipt>;
  /** Results that never got an answer. */
  unsettled: Map<string, { miner: string; lease: string }>;
  /** Jobs handed to the holder, which never reports on them. */
  held: Set<string>;
  stop: boolean;
}

describe.runIf(postgresEnabled())('crash recovery (postgres)', () => {
  let keys: Keys;
  let database: OwnDatabase;
  let server: RunningServer;
  let http: Http;
  const admin = () => keys.admins.admin as string;
  const boot = async () => {
    server = await startServer({
      db: 'postgres',
      databaseUrl: database.url,
      env: { ...keyEnv(keys), ...LIVENESS },
    });
    http = new Http(server.baseUrl, allSecrets(keys));
  };

  beforeAll(async () => {
    keys = makeKeys([...KEYED, ...PLAIN], [...WORKERS, 'holder', 'rescuer']);
    database = await createDatabase();
    await boot();
  });
  afterEach(() => {
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    cleanupTempDirs();
  });

  it('keeps every acknowledged job and receipt through kill -9, and recovers the rest', async () => {
    for (const m of [...WORKERS, 'holder']) await registerMiner(http, keys.miners[m] as string, 4);
    const load: Load = {
      submitted: new Map(),
      unanswered: new Map(),
      completed: new Map(),
      unsettled: new Map(),
      held: new Set(),
      stop: false,
    };
    const running = [
      ...KEYED.map((c) => submitter(http, keys, c, true, load)),
      ...PLAIN.map((c) => submitter(http, keys, c, false, load)),
      ...WORKERS.flatMap((m) => [worker(http, keys, m, load), worker(http, keys, m, load)]),
      holder(http, keys, load),
    ];

    // Mid-load: results are flowing and the holder sits on a full set of RUNNING jobs.
    await until(
      'load under way',
      () => load.completed.size >= 40 && load.submitted.size >= 80 && load.held.size === 4,
      { timeoutMs: 20_000 },
    );
    server.kill('SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
    load.stop = true;
    await Promise.all(running);

    const runningAtCrash = (
      await database.query<{ id: string }>(`select id from jobs where state = 'RUNNING'`)
    ).map((r) => r.id);
    console.info(
      `at the crash: ${load.submitted.size} submits and ${load.completed.size} results acknowledged, ` +
        `${load.unanswered.size + load.unsettled.size} unanswered, ${runningAtCrash.length} jobs RUNNING`,
    );
    expect(runningAtCrash).toEqual(expect.arrayContaining([...load.held]));
    expect(await invariantViolations(database)).toEqual([]);

    await boot();

    // Every acknowledged submit exists; every acknowledged result is there with that receipt.
    const missing: string[] = [];
    for (const [, { client, jobId }] of load.submitted) {
      const r = await http.get<JobView>(`/v1/jobs/${jobId}`, keys.clients[client]);
      if (r.status !== 200) missing.push(`${jobId}: ${r.status}`);
    }
    expect(missing).toEqual([]);
    const changed: string[] = [];
    const owners = new Map((await adminJobs(http, admin())).map((j) => [j.job_id, j.client_id]));
    for (const [jobId, receipt] of load.completed) {
      const owner = owners.get(jobId) ?? '';
      const job = await http.get<JobView>(`/v1/jobs/${jobId}`, keys.clients[owner]);
      const stored = await http.get<Receipt>(`/v1/jobs/${jobId}/receipt`, keys.clients[owner]);
      if (
        job.body.state !== 'COMPLETED' ||
        stored.body.receipt_id !== receipt.receipt_id ||
        stored.body.signature?.sig !== receipt.signature.sig
      )
        changed.push(`${jobId}: ${job.body.state} ${stored.text}`);
    }
    expect(changed).toEqual([]);

    // A careful client retries what got no answer. Keyed submits: one job per key, never two.
    for (const [key, { client, body }] of load.unanswered) {
      const r = await http.post<JobView>('/v1/jobs', body, keys.clients[client], {
        headers: { 'idempotency-key': key },
      });
      expect(r.status).toBe(201);
      load.submitted.set(key, { client, jobId: r.body.job_id, body });
    }
    const perKey = await database.query<{ n: number }>(
      `select count(*)::int as n from jobs where client_id = any($1)`,
      [KEYED],
    );
    expect(perKey[0]?.n).toBe(
      [...load.submitted.values()].filter((s) => KEYED.includes(s.client)).length,
    );
    // An unanswered result, retried with its lease: the stored receipt, or LEASE_LOST; never a second one.
    for (const [jobId, { miner, lease }] of load.unsettled) {
      const r = await http.post<{ receipt: Receipt } & ErrorBody>(
        `/v1/miners/${jobId}/result`,
        { lease_id: lease, result: { by: miner } },
        keys.miners[miner],
      );
      expect([200, 409]).toContain(r.status);
      if (r.status === 409) expect(r.body.code).toBe('LEASE_LOST');
      else load.completed.set(jobId, r.body.receipt);
    }

    // The orphaned RUNNING jobs come back to the queue once their leases run out.
    await until(
      'no RUNNING job left behind by the dead miners',
      async () =>
        (
          await database.query<{ n: number }>(
            `select count(*)::int as n from jobs where state = 'RUNNING'`,
          )
        )[0]?.n === 0,
      { timeoutMs: 15_000 },
    );
    const requeued = await database.query<{ id: string; state: string; attempt: number }>(
      'select id, state, attempt from jobs where id = any($1)',
      [runningAtCrash],
    );
    expect(
      requeued.filter((j) => !(j.state === 'QUEUED' && j.attempt === 1) && j.state !== 'COMPLETED'),
    ).toEqual([]);
    await until('the dead miners to be OFFLINE', async () => {
      const miners = await listAll<AdminMiner>(http, '/v1/admin/miners', admin());
      return miners.filter((m) => m.miner_id !== 'rescuer').every((m) => m.status === 'OFFLINE');
    });

    // A fresh miner finishes everything that is left.
    const rescuer = keys.miners.rescuer as string;
    await registerMiner(http, rescuer, 4);
    const rescued = new Map<string, Receipt>();
    await until(
      'the queue to be empty',
      async () => {
        const r = await http.post<{ job: AssignedJob | null }>(
          '/v1/miners/poll',
          { max_wait_seconds: 0 },
          rescuer,
        );
        const job = r.body.job;
        if (job) {
          const done = await http.post<{ receipt: Receipt }>(
            `/v1/miners/${job.job_id}/result`,
            { lease_id: job.lease_id, result: 'late' },
            rescuer,
          );
          expect(done.status).toBe(200);
          rescued.set(job.job_id, done.body.receipt);
          return false;
        }
        const stats = await http.get<Stats>('/v1/admin/stats', admin());
        return stats.body.queue_depth === 0 && stats.body.jobs_by_state.RUNNING === 0;
      },
      { timeoutMs: 20_000 },
    );
    for (const id of runningAtCrash) {
      if (load.completed.has(id)) continue;
      expect(rescued.get(id)).toMatchObject({ job_id: id, attempt: 2, provider: 'rescuer' });
    }

    const jobs = await adminJobs(http, admin());
    expect(jobs.filter((j) => j.state !== 'COMPLETED')).toEqual([]);
    const stats = await http.get<Stats>('/v1/admin/stats', admin());
    expect(stats.body.jobs_by_state.COMPLETED).toBe(jobs.length);
    expect(stats.body.total_jobs).toBe(jobs.length);
    expect(await invariantViolations(database)).toEqual([]);
  });
});

async function submitter(http: Http, keys: Keys, client: string, keyed: boolean, load: Load) {
  for (let i = 0; !load.stop; i++) {
    const key = `${client}-${i}`;
    const body = { payload: { client, i } };
    if (keyed) load.unanswered.set(key, { client, body });
    try {
      const r = await http.post<JobView>('/v1/jobs', body, keys.clients[client], {
        headers: keyed ? { 'idempotency-key': key } : {},
      });
      if (r.status !== 201) throw new Error(`submit: ${r.status} ${r.text}`);
      load.unanswered.delete(key);
      load.submitted.set(key, { client, jobId: r.body.job_id, body });
    } catch (err) {
      if (load.stop || isConnectionError(err)) return;
      throw err;
    }
  }
}

async function worker(http: Http, keys: Keys, miner: string, load: Load) {
  const key = keys.miners[miner] as string;
  while (!load.stop) {
    let job: AssignedJob | null = null;
    try {
      const r = await http.post<{ job: AssignedJob | null }>(
        '/v1/miners/poll',
        { max_wait_seconds: 1 },
        key,
      );
      if (r.status !== 200) throw new Error(`poll: ${r.status} ${r.text}`);
      job = r.body.job;
      if (!job) continue;
      load.unsettled.set(job.job_id, { miner, lease: job.lease_id });
      const done = await http.post<{ receipt: Receipt }>(
        `/v1/miners/${job.job_id}/result`,
        { lease_id: job.lease_id, result: { by: miner } },
        key,
      );
      if (done.status !== 200) throw new Error(`result: ${done.status} ${done.text}`);
      load.unsettled.delete(job.job_id);
      load.completed.set(job.job_id, done.body.receipt);
    } catch (err) {
      if (load.stop || isConnectionError(err)) return;
      throw err;
    }
  }
}

/** Takes jobs up to its concurrency and sits on them, polling (a sign of life) to keep the leases. */
async function holder(http: Http, keys: Keys, load: Load) {
  const key = keys.miners.holder as string;
  while (!load.stop) {
    try {
      // Half the lease length, so a slow round trip under load does not cost the lease.
      const r = await http.post<{ job: AssignedJob | null }>(
        '/v1/miners/poll',
        { max_wait_seconds: 0.5 },
        key,
      );
      if (r.status !== 200) throw new Error(`holder poll: ${r.status} ${r.text}`);
      if (r.body.job) load.held.add(r.body.job.job_id);
    } catch (err) {
      if (load.stop || isConnectionError(err)) return;
      throw err;
    }
  }
}

const isConnectionError = (err: unknown) =>
  err instanceof TypeError &&
  /fetch failed|terminated|other side closed/i.test(String(err.message));

/** Cross-table consistency that must hold at any instant, crash or not. */
async function invariantViolations(db: OwnDatabase): Promise<string[]> {
  const checks: Record<string, string> = {
    'RUNNING without lease fields': `select id from jobs where state = 'RUNNING' and (lease_id is null
      or assigned_miner_id is null or lease_expires_at is null or started_at is null or attempt < 1)`,
    'receipt iff COMPLETED': `select id from jobs j where (state = 'COMPLETED')
      <> exists (select 1 from receipts r where r.job_id = j.id)`,
    'more than one receipt':
      'select job_id as id from receipts group by job_id having count(*) > 1',
    'receipt not under the completing lease': `select r.id from receipts r join jobs j on j.id = r.job_id
      where j.lease_id is distinct from r.lease_id or r.body->>'job_id' <> r.job_id`,
    'attempt rows disagree with job.attempt': `select j.id from jobs j left join job_attempts a on a.job_id = j.id
      group by j.id, j.attempt having count(a.lease_id) <> j.attempt or coalesce(max(a.attempt), 0) <> j.attempt`,
    'open attempt that is not the RUNNING lease': `select a.lease_id as id from job_attempts a join jobs j on j.id = a.job_id
      where (a.ended_at is null) <> (j.state = 'RUNNING' and j.lease_id = a.lease_id)`,
    'receipt attempt differs from its attempt row': `select r.id from receipts r join job_attempts a on a.lease_id = r.lease_id
      where (r.body->>'attempt')::int <> a.attempt or a.outcome is distinct from 'COMPLETED'`,
    'miner inflight differs from its RUNNING jobs': `select m.id from miners m where m.inflight <>
      (select count(*) from jobs j where j.assigned_miner_id = m.id and j.state = 'RUNNING')`,
  };
  const found: string[] = [];
  for (const [name, sql] of Object.entries(checks)) {
    for (const row of await db.query<{ id: string }>(sql)) found.push(`${name}: ${row.id}`);
  }
  return found;
}
