import type { AssignedJob, Assignment } from '@aitbc/contracts';
import { claimJob } from './claim-job.js';
import type { ServiceContext } from './context.js';
import type { WakeReason } from './job-signal.js';
import { recordSignOfLife } from './miner-registry.js';
import type { PushChannel } from './push-channels.js';
import { releaseClaim } from './release-claim.js';

/**
 * miners.assignments (contract §7a): the miner's push channel. It is the long poll turned
 * inside out: the same claim statement (so the same fencing and concurrency rules), driven by
 * the same JobSignal wake-ups, but it keeps claiming while the miner has free slots and pushes
 * each job the moment it is claimed. Opening it records a sign of life (and pushes the cancel
 * notices already pending); while it stays open the sweeper counts it as one (see
 * keepPushSubscribersAlive).
 *
 * A job is claimed only when the previous one was taken by the stream (the generator resumes
 * after `yield` only when the transport pulls the next value), and a job whose subscription
 * closed before the stream took it is released back to the queue, not lost (releaseClaim). A
 * doubtful delivery is released too: a miner that got the job after all is fenced off
 * (LEASE_LOST) when it reports, so nothing runs twice to completion.
 */
export async function* pushAssignments(
  ctx: ServiceContext,
  minerId: string,
  abort: AbortSignal | undefined,
): AsyncGenerator<Assignment, void, undefined> {
  // MINER_NOT_REGISTERED is thrown here, before anything is pushed.
  const recorded = await recordSignOfLife(ctx, minerId);
  const channel = ctx.push.open(minerId, recorded.profile, ctx.clock.now().getTime());
  channel.cancel(recorded.cancelJobIds);
  const stop = abort ? AbortSignal.any([abort, channel.ended]) : channel.ended;
  let undelivered: AssignedJob | null = null;
  let wake: WakeReason = null;
  try {
    while (!stop.aborted && !ctx.signal.closed) {
      for (const jobId of channel.takeCancels()) yield { type: 'cancel', job_id: jobId };
      const waiter = ctx.signal.wait(minerId, channel.profile);
      const { job, freeSlot } = await claimJob(ctx, minerId);
      if (job) {
        waiter.cancel();
        undelivered = job;
        if (stop.aborted) break;
        yield { type: 'job', job };
        undelivered = null;
        continue;
      }
      if (freeSlot) waiter.hadFreeSlot();
      ctx.signal.forward(wake, freeSlot); // our wake-up produced nothing: the next in line gets it
      wake = await nextReason(waiter, channel, stop);
    }
  } finally {
    ctx.push.close(channel);
    ctx.signal.forward(wake); // a wake-up that arrived as the channel closed is passed on
    if (undelivered) await release(ctx, minerId, undelivered);
  }
}

/** Waits for a queued job, a freed slot, a cancellation, the end of the channel, or shutdown. */
async function nextReason(
  waiter: { woken: Promise<WakeReason>; cancel: () => void },
  channel: PushChannel,
  stop: AbortSignal,
): Promise<WakeReason> {
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      waiter.woken,
      channel.changed().then(() => null),
      new Promise<null>((resolve) => {
        onAbort = () => resolve(null);
        if (stop.aborted) resolve(null);
        else stop.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    waiter.cancel();
    if (onAbort) stop.removeEventListener('abort', onAbort);
  }
}

async function release(ctx: ServiceContext, minerId: string, job: AssignedJob): Promise<void> {
  try {
    await releaseClaim(ctx, minerId, job);
  } catch (err) {
    // The lease then runs out like any abandoned one and the sweeper requeues the job.
    ctx.log.error({ err, job_id: job.job_id }, 'could not release an undelivered pushed job');
  }
}

/**
 * An open push subscription is a sign of life (contract §7a): once per heartbeat interval the
 * sweeper records one for each miner subscribed on this instance (one batched round for all of
 * them, like heartbeats), refreshes the profile its wake-ups match on, and pushes cancel notices
 * that reached the database through another instance.
 */
export async function keepPushSubscribersAlive(ctx: ServiceContext): Promise<number> {
  const nowMs = ctx.clock.now().getTime();
  const due = ctx.push.dueForSignOfLife(nowMs - ctx.config.heartbeatIntervalSeconds * 1000);
  await Promise.all(
    due.map(async (channel) => {
      channel.lastSignOfLifeMs = nowMs;
      const recorded = await ctx.signsOfLife.record(channel.minerId);
      if (!recorded) return;
      ctx.presence.remember(channel.minerId, new Date(nowMs), recorded);
      channel.profile = recorded.profile;
      channel.cancel(recorded.cancelJobIds);
    }),
  );
  return due.length;
}
