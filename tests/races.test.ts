import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  adminJobs,
  allSecrets,
  type Keys,
  keyEnv,
  listAll,
  makeKeys,
  registerMiner,
  submitJob,
} from './support/actors.js';
import { Http } from './support/http.js';
import { createDatabase, type OwnDatabase, postgresEnabled } from './support/postgres.js';
import { cleanupTempDirs, type DbKind, type RunningServer, startServer } from './support/server.js';
import type {
  AdminMiner,
  AssignedJob,
  ErrorBody,
  JobView,
  Receipt,
  Stats,
} from './support/types.js';

/**
 * Many miners racing over one queue through the real HTTP server: every job is handed out once,
 * completed once and receipted once; the concurrency cap and idempotency hold under concurrency.
 */

const JOBS = 300;
const SUBMITTERS = 4;
const MINERS = 8;
const POLLS_PER_MINER = 4;

const SUBMITTER_NAMES = Array.from({ length: SUBMITTERS }, (_, i) => `client${i + 1}`);
const MINER_NAMES = Array.from({ length: MINERS }, (_, i) => `miner${i + 1}`);
const DBS: DbKind[] = postgresEnabled() ? ['postgres', 'embedded'] : ['embedded'];

interface Assignment {
  job: AssignedJob;
  miner: string;
}

describe.each(DBS)('races (%s)', (db) => {
  let keys: Keys;
  let database: OwnDatabase | undefined;
  let server: RunningServer;
  let http: Http;
  const admin = () => keys.admins.admin as string;

  beforeAll(async () => {
    keys = makeKeys([...SUBMITTER_NAMES, 'carol', 'dave'], [...MINER_NAMES, 'capped']);
    database = db === 'postgres' ? await createDatabase() : undefined;
    server = await startServer({ db, databaseUrl: database?.url, env: keyEnv(keys) });
    http = new Http(server.baseUrl, allSecrets(keys));
  });
  afterEach(() => {
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    cleanupTempDirs();
  });

  it(`hands each of ${JOBS} jobs to exactly one of ${MINERS}×${POLLS_PER_MINER} pollers, once`, async () => {
    await Promise.all(MINER_NAMES.map((m) => registerMiner(http, keys.miners[m] as string, 4)));
    const deadline = Date.now() + 45_000;
    const assignments: Assignment[] = [];
    const receipts = new Map<string, Receipt>();
    const problems: string[] = [];
    const submitted: string[] = [];

    const pollLoop = async (miner: string) => {
      const key = keys.miners[miner] as string;
      while (problems.length === 0 && receipts.size < JOBS && Date.now() < deadline) {
        const r = await http.post<{ job: AssignedJob | null }>(
          '/v1/miners/poll',
          { max_wait_seconds: 1 },
          key,
        );
        if (r.status !== 200) {
          problems.push(`poll by ${miner}: ${r.status} ${r.text}`);
          continue;
        }
        const job = r.body.job;
        if (!job) continue;
        assignments.push({ job, miner });
        const done = await http.post<{ receipt: Receipt }>(
          `/v1/miners/${job.job_id}/result`,
          { lease_id: job.lease_id, result: { by: miner } },
          key,
        );
        if (done.status === 200) receipts.set(job.job_id, done.body.receipt);
        else problems.push(`result of ${job.job_id} by ${miner}: ${done.status} ${done.text}`);
      }
    };
    const submitLoop = async (client: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const job = await submitJob(http, keys.clients[client] as string, {
          payload: { client, i },
        });
        submitted.push(job.job_id);
      }
    };

    const started = Date.now();
    await Promise.all([
      ...MINER_NAMES.flatMap((m) => Array.from({ length: POLLS_PER_MINER }, () => pollLoop(m))),
      ...SUBMITTER_NAMES.map((c) => submitLoop(c, JOBS / SUBMITTERS)),
    ]);
    console.info(
      `[${db}] ${JOBS} jobs through ${MINERS * POLLS_PER_MINER} pollers in ${Date.now() - started} ms`,
    );

    expect(problems).toEqual([]);
    expect(new Set(submitted).size).toBe(JOBS);
    // No job handed out twice (under a second lease, or to a second miner).
    const handedOut = new Map<string, Assignment[]>();
    for (const a of assignments)
      handedOut.set(a.job.job_id, [...(handedOut.get(a.job.job_id) ?? []), a]);
    const twice = [...handedOut.values()].filter((list) => list.length > 1);
    expect(twice).toEqual([]);
    expect([...handedOut.keys()].sort()).toEqual([...submitted].sort());
    expect(assignments.every((a) => a.job.attempt === 1)).toBe(true);
    expect(new Set([...receipts.values()].map((r) => r.receipt_id)).size).toBe(JOBS);

    // The server's view: every job COMPLETED once, by the miner it was handed to, one receipt each.
    const jobs = await adminJobs(http, admin());
    const ours = jobs.filter((j) => SUBMITTER_NAMES.includes(j.client_id));
    expect(ours).toHaveLength(JOBS);
    const byId = new Map(assignments.map((a) => [a.job.job_id, a]));
    const wrong = ours.filter(
      (j) =>
        j.state !== 'COMPLETED' ||
        j.attempt !== 1 ||
        j.assigned_miner_id !== byId.get(j.job_id)?.miner,
    );
    expect(wrong).toEqual([]);
    const receiptLists = await inBatches(ours, 10, async (j) => {
      const r = await http.get<{ items: Receipt[] }>(
        `/v1/jobs/${j.job_id}/receipts`,
        keys.clients[j.client_id],
      );
      return { job_id: j.job_id, items: r.body.items };
    });
    const notOne = receiptLists.filter(
      (l) => l.items.length !== 1 || !sameReceipt(l.items[0], receipts.get(l.job_id)),
    );
    expect(notOne).toEqual([]);

    const stats = await http.get<Stats & { receipts_issued?: number }>('/v1/admin/stats', admin());
    expect(stats.body).toMatchObject({
      total_jobs: JOBS,
      jobs_by_state: { QUEUED: 0, RUNNING: 0, COMPLETED: JOBS, FAILED: 0, CANCELED: 0, EXPIRED: 0 },
      queue_depth: 0,
      online_miners: MINERS,
    });
    if (stats.body.receipts_issued !== undefined) expect(stats.body.receipts_issued).toBe(JOBS);
    const miners = await listAll<AdminMiner>(http, '/v1/admin/miners', admin());
    const counted = miners.filter((m) => MINER_NAMES.includes(m.miner_id));
    expect(counted.map((m) => m.inflight)).toEqual(MINER_NAMES.map(() => 0));
    const perMiner = MINER_NAMES.map((m) => assignments.filter((a) => a.miner === m).length);
    expect(counted.map((m) => m.jobs_completed)).toEqual(perMiner);
  });

  it('never hands a miner more jobs than its concurrency, however many polls race', async () => {
    const capped = keys.miners.capped as string;
    const r = await http.post(
      '/v1/miners/register',
      { capabilities: { gpus: [] }, concurrency: 2, region: 'cap-land' },
      capped,
    );
    expect(r.status).toBe(200);
    for (let i = 0; i < 6; i++) {
      await submitJob(http, keys.clients.dave as string, {
        payload: { i },
        constraints: { region: 'cap-land' },
      });
    }
    const pollNow = () =>
      http.post<{ job: AssignedJob | null }>('/v1/miners/poll', { max_wait_seconds: 0 }, capped);
    const first = await Promise.all(Array.from({ length: 8 }, pollNow));
    expect(first.map((p) => p.status)).toEqual(first.map(() => 200));
    const held = first.flatMap((p) => (p.body.job ? [p.body.job] : []));
    expect(held).toHaveLength(2);

    // One finished: exactly one more slot.
    const [done] = held as [AssignedJob, AssignedJob];
    const result = await http.post(
      `/v1/miners/${done.job_id}/result`,
      { lease_id: done.lease_id, result: 1 },
      capped,
    );
    expect(result.status).toBe(200);
    const second = await Promise.all(Array.from({ length: 8 }, pollNow));
    expect(second.filter((p) => p.body.job !== null)).toHaveLength(1);
  });

  it('answers 10 concurrent copies of one result with one and the same receipt', async () => {
    const miner = keys.miners.miner1 as string;
    await registerMiner(http, miner, 4);
    const job = await submitJob(http, keys.clients.dave as string, {
      payload: { dup: true },
      priority: 1000,
    });
    const held = await http.post<{ job: AssignedJob }>(
      '/v1/miners/poll',
      { max_wait_seconds: 0 },
      miner,
    );
    expect(held.body.job.job_id).toBe(job.job_id);
    const copies = await Promise.all(
      Array.from({ length: 10 }, () =>
        http.post<{ receipt: Receipt }>(
          `/v1/miners/${job.job_id}/result`,
          { lease_id: held.body.job.lease_id, result: { dup: 'done' } },
          miner,
        ),
      ),
    );
    expect(copies.map((c) => c.status)).toEqual(copies.map(() => 200));
    expect(new Set(copies.map((c) => c.body.receipt.receipt_id)).size).toBe(1);
    const stored = await http.get<{ items: Receipt[] }>(
      `/v1/jobs/${job.job_id}/receipts`,
      keys.clients.dave,
    );
    expect(stored.body.items.map((r) => r.receipt_id)).toEqual([
      copies[0]?.body.receipt.receipt_id,
    ]);
  });

  it('lets either the cancel or the result win a race, never both', async () => {
    const miner = keys.miners.miner2 as string;
    const dave = keys.clients.dave as string;
    await registerMiner(http, miner, 4);
    const jobs: AssignedJob[] = [];
    for (let i = 0; i < 4; i++) {
      const job = await submitJob(http, dave, { payload: { race: i }, priority: 1000 });
      const held = await http.post<{ job: AssignedJob }>(
        '/v1/miners/poll',
        { max_wait_seconds: 0 },
        miner,
      );
      expect(held.body.job.job_id).toBe(job.job_id);
      jobs.push(held.body.job);
    }
    const outcomes = await Promise.all(
      jobs.map(async (job) => {
        const [cancel, result] = await Promise.all([
          http.post<ErrorBody>(`/v1/jobs/${job.job_id}/cancel`, undefined, dave),
          http.post<ErrorBody>(
            `/v1/miners/${job.job_id}/result`,
            { lease_id: job.lease_id, result: 1 },
            miner,
          ),
        ]);
        const final = await http.get<JobView>(`/v1/jobs/${job.job_id}`, dave);
        const receipts = await http.get<{ items: Receipt[] }>(
          `/v1/jobs/${job.job_id}/receipts`,
          dave,
        );
        return `${cancel.status} ${result.status} ${final.body.state} ${receipts.body.items.length}`;
      }),
    );
    const allowed = ['200 409 CANCELED 0', '409 200 COMPLETED 1'];
    expect(outcomes.filter((o) => !allowed.includes(o))).toEqual([]);
  });

  it('creates one job from 20 concurrent submits with the same Idempotency-Key', async () => {
    const carol = keys.clients.carol as string;
    const body = { payload: { once: true }, constraints: { region: 'nowhere' } };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        http.post<JobView & ErrorBody>('/v1/jobs', body, carol, {
          headers: { 'idempotency-key': 'same-1' },
        }),
      ),
    );
    // A duplicate racing the first may get 409 IDEMPOTENCY_IN_PROGRESS (CONTRACT §3).
    const created = answers.filter((a) => a.status === 201);
    const other = answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body.code}`);
    expect(other.filter((o) => o !== '409 IDEMPOTENCY_IN_PROGRESS')).toEqual([]);
    expect(new Set(created.map((a) => a.body.job_id)).size).toBe(1);
    expect(created.filter((a) => a.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(new Set(created.map((a) => a.text)).size).toBe(1);

    // Same key, 20 different bodies at once: one job, the rest refused.
    const varied = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        http.post<JobView & ErrorBody>('/v1/jobs', { ...body, priority: i }, carol, {
          headers: { 'idempotency-key': 'same-2' },
        }),
      ),
    );
    expect(varied.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = varied.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body.code}`);
    expect(refused.filter((o) => !/^409 IDEMPOTENCY_(KEY_REUSED|IN_PROGRESS)$/.test(o))).toEqual(
      [],
    );

    const carols = await adminJobs(http, admin(), 'client_id=carol');
    expect(carols).toHaveLength(2);
  });
});

async function inBatches<T, R>(
  items: T[],
  size: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const sameReceipt = (a: Receipt | undefined, b: Receipt | undefined) =>
  a !== undefined &&
  b !== undefined &&
  a.receipt_id === b.receipt_id &&
  a.signature.sig === b.signature.sig;
