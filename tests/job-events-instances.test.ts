import type { AssignedJob, JobStreamEvent } from '@aitbc/contracts';
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
import { randomPrefix, redisEnabled, sharedRedisUrl } from './support/redis.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import { openSse } from './support/streams.js';
import { within } from './support/wait.js';

/**
 * Two instances on one PostgreSQL database (contract §4, §7a): a watcher on A sees the events of
 * a job that lives on B, and a long poll waiting on A gets a job submitted on B within 1 s; the
 * relay is LISTEN/NOTIFY, or Redis pub/sub when REDIS_URL is set.
 */
function twoInstances(relay: 'postgres' | 'redis') {
  const keys = makeKeys(['alice'], ['m1', 'm2', 'm3']);
  const alice = keys.clients.alice as string;
  let db: OwnDatabase;
  let servers: RunningServer[] = [];
  let a: Http;
  let b: Http;
  beforeAll(async () => {
    db = await createDatabase();
    const env = {
      ...keyEnv(keys),
      ...(relay === 'redis'
        ? { REDIS_URL: sharedRedisUrl(), REDIS_KEY_PREFIX: randomPrefix() }
        : {}),
    };
    const start = () => startServer({ db: 'postgres', databaseUrl: db.url, env });
    servers = [await start()]; // the first one migrates
    servers.push(await start());
    [a, b] = servers.map((s) => new Http(s.baseUrl, allSecrets(keys))) as [Http, Http];
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.drop();
    cleanupTempDirs();
  });

  it('a watcher on A sees every event of a job submitted and run through B', async () => {
    const m1 = keys.miners.m1 as string;
    await registerMiner(b, m1);
    const job = await submitJob(b, alice);
    const input = encodeURIComponent(JSON.stringify({ job_id: job.job_id }));
    const sse = await openSse(`${a.baseUrl}/trpc/jobs.watch?input=${input}`, {
      'x-api-key': alice,
    });
    const events: JobStreamEvent[] = [];
    const read = async (count: number) => {
      while (events.length < count) {
        const m = await sse.next();
        if (m === null) break;
        if (m.event === 'message') events.push(JSON.parse(m.data) as JobStreamEvent);
      }
    };
    await read(1); // queued, from the stored log
    const lease = (await poll(b, m1)) as AssignedJob;
    await within(5000, 'the running event relayed to A', read(2));
    await postResult(b, m1, lease);
    await within(5000, 'the completed event relayed to A', read(3));
    expect(events.map((e) => e.type)).toEqual(['queued', 'running', 'completed']);
    // The stream ended after the terminal event: tRPC's `return` message, then the end.
    expect((await sse.next())?.event).toBe('return');
    expect(await sse.next()).toBeNull();
  });

  it("a cancellation made through B reaches the miner's push channel on A at once", async () => {
    const m3 = keys.miners.m3 as string;
    await registerMiner(a, m3);
    const sse = await openSse(`${a.baseUrl}/trpc/miners.assignments`, { 'x-api-key': m3 });
    expect((await sse.next())?.event).toBe('connected');
    const job = await submitJob(b, alice);
    const pushed = await within(5000, 'the job pushed on A', sse.next());
    expect(JSON.parse(pushed?.data ?? '{}')).toMatchObject({
      type: 'job',
      job: { job_id: job.job_id },
    });
    const canceledAt = Date.now();
    await b.post(`/v1/jobs/${job.job_id}/cancel`, {}, alice);
    // Not the next heartbeat (10 s by default): the relay carries it.
    const cancel = await within(1000, 'the cancellation relayed to A', sse.next());
    expect(JSON.parse(cancel?.data ?? '{}')).toEqual({ type: 'cancel', job_id: job.job_id });
    expect(Date.now() - canceledAt).toBeLessThan(1000);
    sse.close();
  });

  it('a long poll waiting on A gets a job submitted on B within 1 s', async () => {
    const m2 = keys.miners.m2 as string;
    await registerMiner(a, m2);
    const waiting = poll(a, m2, 10);
    // Give the poll time to find the queue empty and start waiting; it then needs the wake-up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const submittedAt = Date.now();
    const job = await submitJob(b, alice);
    const got = await waiting;
    expect(got?.job_id).toBe(job.job_id);
    expect(Date.now() - submittedAt).toBeLessThan(1000);
  });
}

describe.runIf(postgresEnabled())(
  'job events across two instances: PostgreSQL LISTEN/NOTIFY',
  () => {
    twoInstances('postgres');
  },
);

describe.runIf(postgresEnabled() && redisEnabled())(
  'job events across two instances: Redis pub/sub',
  () => {
    twoInstances('redis');
  },
);
