import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createMiner, type Executor, type Miner, type MinerEvent } from '@aitbc/miner';
import { verifyReceipt } from '@aitbc/receipts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allSecrets, type Keys, keyEnv, listAll, makeKeys, submitJob } from './support/actors.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, REPO_ROOT, type RunningServer, startServer } from './support/server.js';
import type { AdminMiner, JobView } from './support/types.js';
import { until, within } from './support/wait.js';

/**
 * The miner SDK against a real coordinator: jobs a client submits run on an SDK miner and
 * complete with a receipt; cancellation, a lost lease and drain behave as contract §4 says; and
 * the example miner drains and exits 0 on SIGTERM.
 */
describe('@aitbc/miner against a spawned coordinator (embedded database)', () => {
  let keys: Keys;
  let server: RunningServer;
  let http: Http;
  const running: Miner[] = [];
  const alice = () => keys.clients.alice as string;
  const admin = () => keys.admins.admin as string;

  beforeAll(async () => {
    keys = makeKeys(['alice'], ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    server = await startServer({
      db: 'embedded',
      // Short heartbeats and a fast sweeper, so cancellation and timeouts show up within a second.
      env: {
        ...keyEnv(keys),
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_TIMEOUT_SECONDS: '3',
        SWEEP_INTERVAL_MS: '100',
      },
    });
    http = new Http(server.baseUrl, allSecrets(keys));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop({ graceMs: 0 })));
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  /** A started miner under principal `name`, with its events recorded. */
  async function startMiner(name: string, executor: Executor) {
    const events = new EventLog();
    const miner = createMiner({
      baseUrl: server.baseUrl,
      apiKey: keys.miners[name] as string,
      capabilities: { gpus: [{ model: 'NVIDIA RTX 4090', vram_gb: 24 }] },
      concurrency: 2,
      executors: { '*': executor },
      pollWaitSeconds: 5,
      onEvent: (e) => events.push(e),
    });
    running.push(miner);
    await miner.start();
    return { miner, events };
  }

  const getJob = async (id: string) => (await http.get<JobView>(`/v1/jobs/${id}`, alice())).body;

  it('runs a submitted job and completes it with a receipt that verifies', async () => {
    const { events } = await startMiner('m1', async ({ payload }) => ({
      result: { echo: payload.text },
      metrics: { units: 3, unit_type: 'tokens' },
    }));
    const job = await submitJob(http, alice(), { payload: { text: 'hello' } });
    const completed = await events.next('job_completed', job.job_id);

    expect(completed.receipt).toMatchObject({ job_id: job.job_id, provider: 'm1', units: 3 });
    const answer = await http.get<{
      state: string;
      result: unknown;
      receipt: { receipt_id: string };
    }>(`/v1/jobs/${job.job_id}/result`, alice());
    expect(answer.body).toMatchObject({ state: 'COMPLETED', result: { echo: 'hello' } });
    expect(answer.body.receipt.receipt_id).toBe(completed.receipt.receipt_id);
    const published = (await http.get<{ keys: [] }>('/v1/receipts/keys')).body;
    expect(verifyReceipt(completed.receipt, published)).toMatchObject({ ok: true });
  });

  it('aborts a running executor when its job is canceled', async () => {
    let aborted = false;
    const { events } = await startMiner('m2', ({ signal }) => {
      return new Promise((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(signal.reason);
        });
      });
    });
    const job = await submitJob(http, alice(), { payload: { n: 1 } });
    await events.next('job_started', job.job_id);
    const cancel = await http.post<JobView>(`/v1/jobs/${job.job_id}/cancel`, {}, alice());
    expect(cancel.body.state).toBe('CANCELED');

    await events.next('job_canceled', job.job_id); // the next heartbeat carried it
    expect(aborted).toBe(true);
    expect(events.ofType('lease_lost')).toEqual([]);
    expect((await getJob(job.job_id)).state).toBe('CANCELED');
  });

  it('reports a result refused with LEASE_LOST as lease_lost (the job timed out meanwhile)', async () => {
    const { events } = await startMiner('m3', async ({ jobId }) => {
      // Outlive the run timeout: the sweeper fails the job with TIMEOUT while we "work".
      await until('the job to time out', async () => (await getJob(jobId)).state === 'FAILED');
      return { result: 'too late' };
    });
    const job = await submitJob(http, alice(), { payload: { n: 2 }, timeout_seconds: 1 });
    const lost = await events.next('lease_lost', job.job_id);

    expect(lost).toMatchObject({ during: 'result', leaseId: expect.any(String) });
    expect(events.ofType('job_completed')).toEqual([]);
    const view = await getJob(job.job_id);
    expect(view).toMatchObject({ state: 'FAILED', error: { code: 'TIMEOUT' } });
  });

  it('on stop() lets the running job finish, and the miner is left DRAINING', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { miner, events } = await startMiner('m4', async () => {
      await released;
      return { result: 'finished while draining' };
    });
    const job = await submitJob(http, alice(), { payload: { n: 3 } });
    await events.next('job_started', job.job_id);

    const stopped = miner.stop({ graceMs: 20_000 });
    await until('m4 to be DRAINING', async () => (await minerStatus('m4')) === 'DRAINING');
    expect((await getJob(job.job_id)).state).toBe('RUNNING');
    release();
    await within(10_000, 'stop()', stopped);

    expect(events.ofType('job_completed').map((e) => e.jobId)).toEqual([job.job_id]);
    expect(events.ofType('stopped')).toEqual([{ type: 'stopped', reason: 'stop' }]);
    expect((await getJob(job.job_id)).state).toBe('COMPLETED');
    expect(await minerStatus('m4')).toBe('DRAINING');
  });

  it("start() rejects with the coordinator's code when the key is not a miner key", async () => {
    const miner = createMiner({
      baseUrl: server.baseUrl,
      apiKey: alice(), // a client key: 403 FORBIDDEN, not worth retrying
      capabilities: { gpus: [] },
      concurrency: 1,
      executors: { '*': async () => ({ result: null }) },
    });
    await expect(miner.start()).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('the example miner drains on SIGTERM: the running job completes and it exits 0', async () => {
    const child = spawnExample(keys.miners.m5 as string);
    await child.waitFor('is polling');
    const job = await submitJob(http, alice(), { payload: { text: 'abc', work_ms: 1500 } });
    await child.waitFor(`job_started ${job.job_id}`);
    child.kill('SIGTERM');

    expect(await within(15_000, 'the example to exit', child.exited)).toBe(0);
    expect(child.output()).toContain(`job_completed ${job.job_id}`);
    const result = await http.get<{ state: string; result: unknown }>(
      `/v1/jobs/${job.job_id}/result`,
      alice(),
    );
    expect(result.body).toMatchObject({ state: 'COMPLETED', result: { reversed: 'cba' } });
    expect(await minerStatus('m5')).toBe('DRAINING');
  });

  it('the example miner with --once exits 0 after its first job', async () => {
    const job = await submitJob(http, alice(), { payload: { text: 'once' } });
    const child = spawnExample(keys.miners.m6 as string, ['--once']);
    expect(await within(15_000, 'the example to exit', child.exited)).toBe(0);
    expect(child.output()).toContain(`job_completed ${job.job_id}`);
    expect((await getJob(job.job_id)).state).toBe('COMPLETED');
  });

  async function minerStatus(name: string): Promise<string | undefined> {
    const miners = await listAll<AdminMiner>(http, '/v1/admin/miners', admin());
    return miners.find((m) => m.miner_id === name)?.status;
  }

  function spawnExample(minerKey: string, args: string[] = []) {
    const script = join(REPO_ROOT, 'examples/custom-executor/miner.ts');
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', script, ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', BASE: server.baseUrl, MINER_KEY: minerKey },
        stdio: 'pipe',
      },
    );
    let output = '';
    const grew: (() => void)[] = [];
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const wake of grew.splice(0)) wake();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return {
      exited,
      output: () => output,
      kill: (signal: NodeJS.Signals) => child.kill(signal),
      async waitFor(text: string) {
        const deadline = Date.now() + 15_000;
        while (!output.includes(text)) {
          if (Date.now() > deadline || child.exitCode !== null) {
            child.kill('SIGKILL');
            throw new Error(`the example never printed "${text}":\n${output}`);
          }
          await new Promise<void>((resolve) => {
            grew.push(resolve);
            setTimeout(resolve, 200);
          });
        }
      },
    };
  }
});

/** The events of one miner, with a way to wait for the next one of a kind. */
class EventLog {
  private readonly events: MinerEvent[] = [];
  private waiters: (() => void)[] = [];

  push(event: MinerEvent): void {
    this.events.push(event);
    for (const wake of this.waiters.splice(0)) wake();
  }

  ofType<T extends MinerEvent['type']>(type: T): Extract<MinerEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<MinerEvent, { type: T }> => e.type === type);
  }

  /** The first event of `type` about `jobId`, waiting up to 15 s for it. */
  next<T extends MinerEvent['type']>(
    type: T,
    jobId: string,
  ): Promise<Extract<MinerEvent, { type: T }>> {
    const find = () => this.ofType(type).find((e) => 'jobId' in e && e.jobId === jobId);
    return within(
      15_000,
      `${type} of ${jobId} (events: ${JSON.stringify(this.events.map((e) => e.type))})`,
      new Promise((resolve) => {
        const check = () => {
          const found = find();
          if (found) resolve(found);
          else this.waiters.push(check);
        };
        check();
      }),
    );
  }
}
