import {
  AppError,
  type MinerCapabilities,
  type MinerProfile,
  type MinerStatus,
  toProfile,
} from '@aitbc/contracts';
import { addSeconds } from './clock.js';
import type { ServiceContext } from './context.js';
import type { Recorded } from './signs-of-life.js';

export interface RegisterInput {
  capabilities: MinerCapabilities;
  concurrency: number;
  region?: string | undefined;
}

/**
 * Every sign of life extends the leases of the miner's RUNNING jobs that are still live (an
 * expired lease stays lost even if the sweeper has not run yet). Always its own statement, run
 * before the miner row is touched: holding the miner row while updating its jobs would invert
 * the lock order of result/fail/cancel (job row, then miner row) and deadlock against them.
 */
async function extendLeases(ctx: ServiceContext, minerId: string, now: Date): Promise<void> {
  await ctx.db.query(
    `update jobs set lease_expires_at = $3
     where assigned_miner_id = $1 and state = 'RUNNING' and lease_expires_at > $2`,
    [minerId, now, addSeconds(now, ctx.config.heartbeatTimeoutSeconds)],
  );
}

/**
 * Register is repeatable: it updates capabilities, makes the miner ONLINE (also out of DRAINING
 * or OFFLINE) and recounts its slots from the jobs it still holds. Leases lost while it was away
 * stay lost: they were requeued by the sweeper and belong to nobody now.
 */
export async function registerMiner(ctx: ServiceContext, minerId: string, input: RegisterInput) {
  const now = ctx.clock.now();
  const profile = toProfile(input.capabilities, input.region);
  await extendLeases(ctx, minerId, now);
  await ctx.db.query(
    `insert into miners (id, status, concurrency, inflight, region, capabilities, gpus, cuda, models,
       match_region, price, services, registered_at, last_seen_at)
     values ($1, 'ONLINE', $2, 0, $3, $4::jsonb, $5::jsonb, $6::int[], $7::text[], $8, $9, $11::text[],
       $10, $10)
     on conflict (id) do update set status = 'ONLINE', draining = false, concurrency = excluded.concurrency,
       region = excluded.region, capabilities = excluded.capabilities, gpus = excluded.gpus,
       cuda = excluded.cuda, models = excluded.models, match_region = excluded.match_region,
       price = excluded.price, services = excluded.services, last_seen_at = excluded.last_seen_at,
       inflight = (select count(*) from jobs where assigned_miner_id = $1 and state = 'RUNNING')`,
    [
      minerId,
      input.concurrency,
      input.region ?? null,
      JSON.stringify(input.capabilities),
      JSON.stringify(profile.gpus),
      profile.cuda,
      profile.models,
      profile.region,
      profile.price,
      now,
      profile.services,
    ],
  );
  ctx.presence.forget(minerId);
  ctx.signal.slotFreed(minerId);
  return {
    miner_id: minerId,
    heartbeat_interval_seconds: ctx.config.heartbeatIntervalSeconds,
    lease_seconds: ctx.config.heartbeatTimeoutSeconds,
  };
}

/**
 * A sign of life (see SignsOfLife). Returns the miner's status and matching profile, or throws
 * MINER_NOT_REGISTERED. Within the presence window of the last recorded one it is answered from
 * memory (see MinerPresence).
 */
export async function touchMiner(
  ctx: ServiceContext,
  minerId: string,
): Promise<{ status: MinerStatus; profile: MinerProfile }> {
  const recent = ctx.presence.recent(minerId, ctx.clock.now());
  return recent ?? recordSignOfLife(ctx, minerId);
}

/** Heartbeat: a recorded sign of life, plus the RUNNING jobs of this miner that were canceled. */
export async function heartbeat(
  ctx: ServiceContext,
  minerId: string,
  metadata?: Record<string, unknown>,
) {
  const { status, cancelJobIds } = await recordSignOfLife(ctx, minerId, metadata);
  return { status, cancel_job_ids: cancelJobIds };
}

/** Records a sign of life now (never from memory); throws MINER_NOT_REGISTERED. */
export async function recordSignOfLife(
  ctx: ServiceContext,
  minerId: string,
  metadata?: Record<string, unknown>,
): Promise<Recorded> {
  const now = ctx.clock.now();
  const recorded = await ctx.signsOfLife.record(minerId, metadata);
  if (!recorded) throw notRegistered();
  ctx.presence.remember(minerId, now, recorded);
  return recorded;
}

const notRegistered = () =>
  new AppError('MINER_NOT_REGISTERED', 'register this miner (POST /v1/miners/register) first');

/** DRAINING: no new jobs; it may still finish the ones it holds. Lasts until it registers again. */
export async function drainMiner(ctx: ServiceContext, minerId: string) {
  const { rows } = await ctx.db.query<{ inflight: number }>(
    `update miners set status = 'DRAINING', draining = true, last_seen_at = $2
     where id = $1 returning inflight`,
    [minerId, ctx.clock.now()],
  );
  const row = rows[0];
  if (!row) throw notRegistered();
  ctx.presence.forget(minerId);
  ctx.signal.slotFreed(minerId);
  return { status: 'DRAINING' as const, inflight: row.inflight };
}
