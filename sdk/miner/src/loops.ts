import { Backoff, sleep } from './backoff.js';
import { CALL_TIMEOUT_MARGIN_MS } from './constants.js';
import type { MinerStep } from './events.js';
import { classifyFailure } from './miner-api.js';
import type { RunningJobs } from './running-jobs.js';
import type { Runtime } from './runtime.js';

/** Client-side timeout of poll and heartbeat: longer than the long-poll wait. */
const loopCallTimeoutMs = (rt: Runtime) => rt.pollWaitSeconds * 1000 + CALL_TIMEOUT_MARGIN_MS;

/**
 * The one long-poll loop: poll while a slot is free, hand each claimed job to `jobs`, and wait
 * for a slot before polling again. Only one poll is ever open (the coordinator may cap them).
 * It returns at `stop`, or at the first chance after `until` (epoch ms), when the dispatch loop
 * tries the push channel again.
 */
export async function pollLoop(
  rt: Runtime,
  jobs: RunningJobs,
  stop: AbortSignal,
  until = Number.POSITIVE_INFINITY,
): Promise<void> {
  const backoff = new Backoff();
  while (!stop.aborted && Date.now() < until) {
    await jobs.waitForFreeSlot(stop);
    if (stop.aborted) return;
    try {
      const job = await rt.api.poll(
        { max_wait_seconds: rt.pollWaitSeconds },
        { timeoutMs: loopCallTimeoutMs(rt), signal: stop },
      );
      rt.noteSignOfLife();
      backoff.reset();
      // Even a job claimed just as the miner stops is run: it is ours until reported on.
      if (job) jobs.start(job);
    } catch (err) {
      if (stop.aborted) return;
      const delay = await afterFailure(rt, 'poll', err, backoff);
      if (delay === null) return;
      await sleep(delay, stop);
    }
  }
}

/**
 * Heartbeats every `heartbeat_interval_seconds` (sooner, with backoff, after a failure),
 * sending `inflight`; aborts the jobs the coordinator canceled; re-registers a forgotten miner;
 * and gives up the jobs whose leases must have run out while the coordinator was unreachable.
 */
export async function heartbeatLoop(rt: Runtime, jobs: RunningJobs, stop: AbortSignal) {
  const backoff = new Backoff();
  let delay = rt.heartbeatIntervalMs;
  while (!stop.aborted) {
    await sleep(delay, stop);
    if (stop.aborted) return;
    try {
      const answer = await rt.api.heartbeat(
        { inflight: jobs.size },
        { timeoutMs: loopCallTimeoutMs(rt), signal: stop },
      );
      rt.noteSignOfLife();
      backoff.reset();
      delay = rt.heartbeatIntervalMs;
      jobs.interrupt(answer.cancel_job_ids, 'canceled');
      if (answer.status === 'OFFLINE' && !rt.draining) await rt.reregister();
    } catch (err) {
      if (stop.aborted) return;
      if (Date.now() - rt.lastSignOfLifeAt >= rt.leaseMs) jobs.interruptAll('lease_lost');
      const retryIn = await afterFailure(rt, 'heartbeat', err, backoff);
      if (retryIn === null) return;
      delay = Math.min(retryIn, rt.heartbeatIntervalMs);
    }
  }
}

/**
 * What a loop does after a failed call: stop (null) on 401/403, register again when the
 * coordinator does not know this miner, otherwise back off. Returns the delay before retrying.
 */
export async function afterFailure(
  rt: Runtime,
  step: MinerStep,
  error: unknown,
  backoff: Backoff,
): Promise<number | null> {
  const kind = classifyFailure(error);
  if (kind === 'unauthorized') {
    rt.fatal(step, error);
    return null;
  }
  if (kind === 'not_registered' && !rt.draining) {
    rt.log.warn(`${step}: the coordinator does not know this miner; registering again`);
    try {
      await rt.reregister();
      backoff.reset();
      return 0;
    } catch (err) {
      return afterFailure(rt, 'register', err, backoff);
    }
  }
  const retryInMs = backoff.next();
  rt.emit({ type: 'error', step, error, fatal: false, retryInMs });
  rt.log.warn(`${step} failed; retrying in ${retryInMs} ms`, { error: String(error) });
  return retryInMs;
}
