import { createClient, type JobStreamEvent } from '@aitbc/client';
import { createMiner, type Executor, type Miner, type MinerEvent } from '@aitbc/miner';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allSecrets, type Keys, keyEnv, makeKeys, submitJob } from './support/actors.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import type { JobView } from './support/types.js';
import { within } from './support/wait.js';

/**
 * The SDKs on the live channels (contract §7a) against a spawned coordinator: a miner on the
 * push channel gets jobs and cancellations as they happen, falls back to long-polling where the
 * channel is refused; a client's `wait` follows the job's stream and resumes after a drop.
 * Heartbeats are 10 s apart, so anything faster than that came through push.
 */
describe('SDKs on the push channel and the job stream', () => {
  let keys: Keys;
  let server: RunningServer;
  let proxy: FaultProxy;
  let http: Http;
  const miners: Miner[] = [];
  const alice = () => keys.clients.alice as string;

  beforeAll(async () => {
    keys = makeKeys(['alice'], ['m1', 'm2', 'm3', 'm4']);
    server = await startServer({
      db: 'embedded',
      env: { ...keyEnv(keys), HEARTBEAT_INTERVAL_SECONDS: '10', HEARTBEAT_TIMEOUT_SECONDS: '30' },
    });
    proxy = await startFaultProxy(server.baseUrl);
    http = new Http(server.baseUrl, allSecrets(keys));
  });
  afterEach(async () => {
    await Promise.all(miners.splice(0).map((m) => m.stop({ graceMs: 0 })));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    cleanupTempDirs();
  });

  function startMiner(name: string, executor: Executor, baseUrl = server.baseUrl) {
    const events: MinerEvent[] = [];
    const dispatch = new Promise<MinerEvent>((resolve) => {
      const miner = createMiner({
        baseUrl,
        apiKey: keys.miners[name] as string,
        capabilities: { gpus: [] },
        concurrency: 2,
        executors: { '*': executor },
        pollWaitSeconds: 2,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'dispatch') resolve(e);
        },
      });
      miners.push(miner);
      void miner.start();
    });
    return { events, dispatch: within(10_000, `${name} dispatch`, dispatch) };
  }

  it('a miner on the push channel starts a job within 100 ms of its submission', async () => {
    const started = new Map<string, number>();
    const { dispatch } = startMiner('m1', async ({ jobId }) => {
      started.set(jobId, performance.now());
      return { result: { ok: true } };
    });
    expect(await dispatch).toMatchObject({ type: 'dispatch', mode: 'push' });
    const warm = await submitJob(http, alice(), { payload: { warm: true } });
    await waitUntilTerminal(warm.job_id);

    const submittedAt = performance.now();
    const job = await submitJob(http, alice(), { payload: { n: 1 } });
    await waitUntilTerminal(job.job_id);
    const latency = (started.get(job.job_id) ?? Number.POSITIVE_INFINITY) - submittedAt;
    expect(latency).toBeLessThan(100);
  });

  it('a cancellation reaches the running executor through push, long before a heartbeat', async () => {
    let abortedAt = 0;
    const { dispatch } = startMiner('m2', ({ signal }) => {
      return new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          abortedAt = performance.now();
          reject(signal.reason);
        });
      });
    });
    await dispatch;
    const job = await submitJob(http, alice(), { payload: { n: 2 } });
    await within(5000, 'the job to run', pollState(job.job_id, 'RUNNING'));
    const canceledAt = performance.now();
    await http.post(`/v1/jobs/${job.job_id}/cancel`, {}, alice());
    await within(
      2000,
      'the executor to be aborted',
      waitFor(() => abortedAt > 0),
    );
    expect(abortedAt - canceledAt).toBeLessThan(1000); // the heartbeat would take up to 10 s
  });

  it('falls back to long-polling when the coordinator refuses push (404), and completes jobs', async () => {
    proxy.failNext(
      1000,
      { kind: 'status', status: 404, body: 'no such route' },
      'miners.assignments',
    );
    const { dispatch, events } = startMiner('m3', async () => ({ result: 'polled' }), proxy.url);
    expect(await dispatch).toMatchObject({ type: 'dispatch', mode: 'poll' });
    const job = await submitJob(http, alice(), { payload: { n: 3 } });
    const done = await waitUntilTerminal(job.job_id);
    expect(done.state).toBe('COMPLETED');
    // The job is COMPLETED once the result is accepted; the miner's event follows the answer.
    const completedHere = () => events.some((e) => e.type === 'job_completed');
    await within(2000, 'the job_completed event', waitFor(completedHere));
    expect(proxy.log.some((r) => r.url.includes('/trpc/miners.poll'))).toBe(true);
  });

  it("client wait follows the job's stream, sees every transition and resumes after a cut", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { dispatch } = startMiner('m4', async ({ progress }) => {
      await gate;
      await progress(50, 'half way');
      return { result: 'streamed' };
    });
    await dispatch;
    const client = createClient({ baseUrl: proxy.url, apiKey: alice() });
    const job = await client.submit({ payload: { n: 4 } });
    const seen: JobStreamEvent[] = [];
    let running!: () => void;
    const isRunning = new Promise<void>((resolve) => {
      running = resolve;
    });
    const waiting = client.wait(job.job_id, {
      timeoutMs: 20_000,
      onEvent: (e) => {
        seen.push(e);
        if (e.type === 'running') running();
      },
    });
    await within(5000, 'the running event', isRunning);
    expect(proxy.cutStreams('jobs.watch')).toBe(1);
    release();
    const final = await waiting;
    expect(final.state).toBe('COMPLETED');
    expect(seen.map((e) => e.type)).toEqual(['queued', 'running', 'progress', 'completed']);
    const ids = seen.map((e) => BigInt(e.event_id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    const watches = proxy.log.filter((r) => r.url.includes('/trpc/jobs.watch'));
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(watches.at(-1)?.headers['last-event-id']).toBe(seen[1]?.event_id);
  });

  async function waitUntilTerminal(jobId: string): Promise<JobView> {
    const client = createClient({ baseUrl: server.baseUrl, apiKey: alice() });
    return (await client.wait(jobId, { timeoutMs: 10_000 })) as JobView;
  }

  async function pollState(jobId: string, state: string): Promise<void> {
    for (;;) {
      const view = (await http.get<JobView>(`/v1/jobs/${jobId}`, alice())).body;
      if (view.state === state) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
