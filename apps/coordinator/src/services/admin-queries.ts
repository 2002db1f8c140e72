import { JOB_STATES, MINER_STATUSES, type MinerStatus } from '@aitbc/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MinerEntity } from '../db/entities/index.js';
import type { ServiceContext } from './context.js';
import { decodeCursor, encodeCursor } from './ids.js';
import { type JobFilter, listJobs } from './job-queries.js';
import { toJobView } from './job-views.js';

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export async function adminStats(ctx: ServiceContext) {
  const { rows } = await ctx.db.query<{ kind: string; key: string; n: number }>(
    `select 'job' as kind, state as key, count(*) as n from jobs group by state
     union all select 'miner', status, count(*) from miners group by status
     union all select 'receipts', 'all', count(*) from receipts`,
  );
  const jobsByState = zeros(JOB_STATES);
  const minersByStatus = zeros(MINER_STATUSES);
  let receipts = 0;
  for (const r of rows) {
    if (r.kind === 'job') jobsByState[r.key as keyof typeof jobsByState] = r.n;
    else if (r.kind === 'miner') minersByStatus[r.key as MinerStatus] = r.n;
    else receipts = r.n;
  }
  const avg = await ctx.db.query<{ ms: number | null }>(
    `select avg(extract(epoch from (completed_at - started_at)) * 1000)::float8 as ms
     from jobs where state = 'COMPLETED'`,
  );
  return {
    total_jobs: Object.values(jobsByState).reduce((a, b) => a + b, 0),
    jobs_by_state: jobsByState,
    queue_depth: jobsByState.QUEUED,
    online_miners: minersByStatus.ONLINE,
    miners_by_status: minersByStatus,
    avg_job_duration_ms: avg.rows[0]?.ms ?? null,
    receipts_issued: receipts,
  };
}

export async function adminJobs(ctx: ServiceContext, filter: JobFilter) {
  const { rows, next_cursor } = await listJobs(ctx, filter);
  return { items: rows.map((j) => ({ ...toJobView(j), client_id: j.clientId })), next_cursor };
}

export async function adminMiners(
  ctx: ServiceContext,
  q: { status?: MinerStatus; limit: number; cursor?: string },
) {
  const after = decodeCursor(q.cursor);
  const where: Record<string, unknown> = {};
  if (q.status) where.status = q.status;
  if (after !== null) where.id = { $gt: after };
  const em = ctx.db.orm.em.fork() as EntityManager;
  const rows = await em.find(MinerEntity, where, {
    orderBy: { id: 'asc' },
    limit: q.limit + 1,
    disableIdentityMap: true,
  });
  const items = rows.slice(0, q.limit);
  const last = items.at(-1);
  return {
    items: items.map((m) => ({
      miner_id: m.id,
      status: m.status,
      region: m.region ?? null,
      concurrency: m.concurrency,
      inflight: m.inflight,
      capabilities: m.capabilities,
      last_heartbeat: m.lastSeenAt.toISOString(),
      registered_at: m.registeredAt.toISOString(),
      jobs_completed: m.jobsCompleted,
      jobs_failed: m.jobsFailed,
    })),
    next_cursor: rows.length > q.limit && last ? encodeCursor(last.id) : null,
  };
}
