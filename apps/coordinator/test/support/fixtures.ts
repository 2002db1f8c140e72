import {
  AppError,
  type AppErrorCode,
  type AssignedJob,
  type JobState,
  type JobView,
  type MinerCapabilities,
  type SubmitJobInput,
} from '@aitbc/contracts';
import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import { authenticateApiKey } from '../../src/http/authenticate.js';
import { JobSignal, type WakeReason } from '../../src/services/job-signal.js';
import { createRequestContext } from '../../src/trpc/context.js';
import { toAppError } from '../../src/trpc/errors.js';
import { appRouter } from '../../src/trpc/router.js';
import { KEYS, type TestApp } from './test-app.js';

/** Domain fixtures: callers, miners and jobs in a given state, through the public procedures. */
export type Client = 'alice' | 'bob';
export type Miner = 'miner1' | 'miner2' | 'miner3';
export type Caller = ReturnType<TestApp['as']>;

/**
 * Awaits a call that must fail with `code` and returns the AppError. Input that fails the zod
 * schema reaches a caller as a TRPCError around a ZodError: it is mapped the way the wire does.
 */
export async function expectAppError(
  promise: Promise<unknown>,
  code: AppErrorCode,
): Promise<AppError> {
  const outcome = await promise.then(
    (value) => ({ failed: false as const, value }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  if (!outcome.failed) {
    return expect.fail(`expected ${code}, got success: ${JSON.stringify(outcome.value)}`);
  }
  const app = outcome.error instanceof TRPCError ? toAppError(outcome.error) : outcome.error;
  expect(app).toBeInstanceOf(AppError);
  expect((app as AppError).code).toBe(code);
  return app as AppError;
}

export const CPU_ONLY: MinerCapabilities = { gpus: [] };
export const RTX_4090: MinerCapabilities = {
  gpus: [{ model: 'RTX 4090', vram_gb: 24 }],
  cuda: '12.4',
};

export async function registerMiner(
  t: TestApp,
  miner: Miner,
  capabilities: MinerCapabilities = CPU_ONLY,
  options: { concurrency?: number; region?: string } = {},
) {
  return t.as(miner).miners.register({
    capabilities,
    concurrency: options.concurrency ?? 1,
    ...(options.region ? { region: options.region } : {}),
  });
}

export type SubmitInput = Partial<SubmitJobInput>;

export function submitJob(t: TestApp, input: SubmitInput = {}, client: Client = 'alice') {
  return t.as(client).jobs.submit({ payload: { n: 1 }, ...input });
}

/** One poll that answers at once: the job the miner is handed now, or null. */
export async function pollNow(t: TestApp, miner: Miner): Promise<AssignedJob | null> {
  return (await t.as(miner).miners.poll({ max_wait_seconds: 0 })).job;
}

/** Polls once and insists on being handed `jobId`. */
export async function claim(t: TestApp, miner: Miner, jobId: string): Promise<AssignedJob> {
  const job = await pollNow(t, miner);
  expect(job?.job_id, `${miner} should be handed ${jobId}`).toBe(jobId);
  return job!;
}

/** The part of an assignment that result/fail/progress send back. */
export const leaseOf = (a: AssignedJob) => ({ job_id: a.job_id, lease_id: a.lease_id });

export interface MadeJob {
  job: JobView;
  /** The lease of the claim, for jobs that were RUNNING at some point. */
  lease: AssignedJob | null;
}

/**
 * A job of `client` in `state`, reached the way a real one would be. States past QUEUED need
 * `miner` to be registered with a free slot; the job is submitted at top priority so that miner
 * is handed this job and not an older one. EXPIRED moves the clock by one second and sweeps.
 */
export async function makeJob(
  t: TestApp,
  state: JobState,
  opts: { client?: Client; miner?: Miner; input?: SubmitInput } = {},
): Promise<MadeJob> {
  const client = opts.client ?? 'alice';
  const miner = opts.miner ?? 'miner1';
  const expiring = state === 'EXPIRED' ? { ttl_seconds: 1 } : {};
  const queued = await submitJob(t, { priority: 1000, ...expiring, ...opts.input }, client);
  const id = queued.job_id;
  if (state === 'QUEUED') return { job: queued, lease: null };
  if (state === 'CANCELED')
    return { job: await t.as(client).jobs.cancel({ job_id: id }), lease: null };
  if (state === 'EXPIRED') {
    t.clock.advance(1000);
    await t.app.sweeper.runOnce();
    return { job: await t.as(client).jobs.get({ job_id: id }), lease: null };
  }
  const lease = await claim(t, miner, id);
  const held = { job_id: id, lease_id: lease.lease_id };
  if (state === 'COMPLETED') await t.as(miner).miners.result({ ...held, result: { ok: true } });
  if (state === 'FAILED')
    await t.as(miner).miners.fail({ ...held, error_code: 'OOM', error_message: 'out of memory' });
  const job = await t.as(client).jobs.get({ job_id: id });
  expect(job.state).toBe(state);
  return { job, lease };
}

/**
 * Resolves once `count` long polls have tried to claim, found nothing and are about to wait: the
 * moment to submit when a test must prove that the submit (not a first claim) hands a job out.
 */
export function pollsWaiting(t: TestApp, count = 1): Promise<void> {
  const signal = t.app.services.signal;
  let seen = 0;
  return new Promise((resolve) => {
    signal.forward = (reason: WakeReason, hadFreeSlot?: boolean) => {
      JobSignal.prototype.forward.call(signal, reason, hadFreeSlot);
      if (++seen < count) return;
      Reflect.deleteProperty(signal, 'forward');
      resolve();
    };
  });
}

/**
 * A caller together with its request context, for what the caller does not return: the
 * response status and headers a procedure sets (`ctx.response`).
 */
export function callerWithContext(t: TestApp, who: Client, headers: Record<string, string> = {}) {
  const all = { 'x-api-key': KEYS[who], ...headers };
  const ctx = createRequestContext(t.app.services, authenticateApiKey(t.app.keyRing, all), all);
  return { caller: appRouter.createCaller(ctx), response: ctx.response };
}

/** Paths of every null inside a JSON value (receipts must have none). */
export function nullPaths(value: unknown, path = '$'): string[] {
  if (value === null) return [path];
  if (typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nullPaths(v, `${path}.${k}`));
}

/** Counts rows of a table for one job, straight from the database. */
export async function countRows(t: TestApp, table: 'receipts' | 'settlements', jobId: string) {
  const { rows } = await t.app.services.db.pool.query<{ n: number }>(
    `select count(*)::int as n from ${table} where job_id = $1`,
    [jobId],
  );
  return rows[0]!.n;
}
