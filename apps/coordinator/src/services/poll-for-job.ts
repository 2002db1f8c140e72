import type { AssignedJob } from '@aitbc/contracts';
import { claimJob } from './claim-job.js';
import type { ServiceContext } from './context.js';
import type { WakeReason } from './job-signal.js';
import { touchMiner } from './miner-registry.js';

/**
 * Long-poll: claim now, or wait for a wake-up from `JobSignal` (a matching job was queued, or a
 * slot of this miner was freed) and claim again, until `maxWaitSeconds` pass or `signal` aborts.
 * The database is only queried when there is a reason to expect a job.
 */
export async function pollForJob(
  ctx: ServiceContext,
  minerId: string,
  maxWaitSeconds: number,
  abort?: AbortSignal,
): Promise<AssignedJob | null> {
  ctx.longPolls.acquire(minerId);
  try {
    return await pollWithSlot(ctx, minerId, maxWaitSeconds, abort);
  } finally {
    ctx.longPolls.release(minerId);
  }
}

async function pollWithSlot(
  ctx: ServiceContext,
  minerId: string,
  maxWaitSeconds: number,
  abort?: AbortSignal,
): Promise<AssignedJob | null> {
  const { status, profile } = await touchMiner(ctx, minerId);
  const deadline = Date.now() + Math.min(maxWaitSeconds, ctx.config.longPollMaxSeconds) * 1000;
  let wake: WakeReason = null;
  for (;;) {
    const waiter = ctx.signal.wait(minerId, profile);
    const claim = status === 'ONLINE' ? await claimJob(ctx, minerId) : null;
    if (claim?.job) {
      waiter.cancel();
      return claim.job;
    }
    if (claim?.freeSlot) waiter.hadFreeSlot();
    // Our wake-up produced nothing (someone else was faster): the next miner in line gets it.
    ctx.signal.forward(wake, claim?.freeSlot);
    const remaining = deadline - Date.now();
    // A DRAINING or OFFLINE miner claims nothing but still waits its time out, so that a miner
    // loop that keeps polling does not spin.
    if (remaining <= 0 || abort?.aborted || ctx.signal.closed) {
      waiter.cancel();
      return null;
    }
    const outcome = await waitFor(waiter.woken, remaining, abort);
    if (outcome === 'timeout' || outcome === 'aborted' || ctx.signal.closed) {
      waiter.cancel();
      return null;
    }
    wake = outcome;
  }
}

async function waitFor<T>(
  promise: Promise<T>,
  ms: number,
  abort?: AbortSignal,
): Promise<T | 'timeout' | 'aborted'> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
      }),
      new Promise<'aborted'>((resolve) => {
        onAbort = () => resolve('aborted');
        abort?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) abort?.removeEventListener('abort', onAbort);
  }
}
