import { Backoff } from './backoff.js';
import { PUSH_RETRY_MS } from './constants.js';
import { afterFailure, pollLoop } from './loops.js';
import { classifyFailure } from './miner-api.js';
import type { RunningJobs } from './running-jobs.js';
import type { Runtime } from './runtime.js';
import type { Assignment } from './wire-types.js';

type SessionEnd =
  /** The coordinator does not offer push (404 from an older one) or could not be reached. */
  | { kind: 'refused'; reason: string }
  /** The channel was open and ended or dropped. */
  | { kind: 'dropped'; reason: string }
  /** The miner is stopping, or stopped (401/403). */
  | { kind: 'stopped' };

/**
 * How jobs reach the miner: the push channel (miners.assignments) when the coordinator offers
 * it, else the long-poll loop. When push is refused the miner long-polls for PUSH_RETRY_MS
 * before trying it again; when an open channel drops it long-polls for a backoff delay (short
 * at first) so no job waits for the reconnect. Push and poll never run at once.
 */
export async function dispatchLoop(rt: Runtime, jobs: RunningJobs, stop: AbortSignal) {
  if (!rt.api.assignments) return pollLoop(rt, jobs, stop);
  const dropBackoff = new Backoff();
  while (!stop.aborted) {
    const end = await pushSession(rt, jobs, stop);
    if (end.kind === 'stopped' || stop.aborted) return;
    const retryInMs = end.kind === 'refused' ? PUSH_RETRY_MS : dropBackoff.next();
    rt.emit({ type: 'dispatch', mode: 'poll', reason: end.reason });
    rt.log.info(`push channel ${end.kind}; long-polling, push again in ${retryInMs} ms`, {
      reason: end.reason,
    });
    await pollLoop(rt, jobs, stop, Date.now() + retryInMs);
  }
}

async function pushSession(rt: Runtime, jobs: RunningJobs, stop: AbortSignal): Promise<SessionEnd> {
  let stream: AsyncIterable<Assignment>;
  try {
    stream = await (rt.api.assignments as NonNullable<typeof rt.api.assignments>)({ signal: stop });
  } catch (error) {
    if (stop.aborted) return { kind: 'stopped' };
    return (await afterPushFailure(rt, error)) ?? { kind: 'refused', reason: String(error) };
  }
  rt.noteSignOfLife();
  rt.emit({ type: 'dispatch', mode: 'push', reason: null });
  try {
    for await (const assignment of stream) {
      rt.noteSignOfLife();
      if (assignment.type === 'job') jobs.offer(assignment.job);
      else jobs.interrupt([assignment.job_id], 'canceled');
    }
    return { kind: 'dropped', reason: 'the coordinator ended the push channel' };
  } catch (error) {
    if (stop.aborted) return { kind: 'stopped' };
    return (await afterPushFailure(rt, error)) ?? { kind: 'dropped', reason: String(error) };
  }
}

/**
 * 401/403 stop the miner; a coordinator that forgot the miner gets it registered again and
 * the channel reopened at once (as a dropped one). Other failures are left to the caller.
 */
async function afterPushFailure(rt: Runtime, error: unknown): Promise<SessionEnd | null> {
  const kind = classifyFailure(error);
  if (kind === 'unauthorized' || kind === 'not_registered') {
    const retry = await afterFailure(rt, 'push', error, new Backoff());
    return retry === null ? { kind: 'stopped' } : { kind: 'dropped', reason: String(error) };
  }
  return null;
}
