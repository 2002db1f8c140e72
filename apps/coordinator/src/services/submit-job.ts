import { AppError, type JobView, type SubmitJobInput } from '@aitbc/contracts';
import { canonicalSha256 } from '@aitbc/receipts';
import { addSeconds } from './clock.js';
import type { ServiceContext } from './context.js';
import { uuidv7 } from './ids.js';
import { planJob } from './plan-job.js';

export interface SubmitResult {
  job: JobView;
  /** True when an Idempotency-Key matched an earlier identical submit. */
  replayed: boolean;
}

const INSERT_JOB_COLUMNS = `id, client_id, state, service, payload, payload_sha256, constraints,
  req_gpu, req_vram, req_cuda, req_models, req_region, req_max_price, req_service, estimated_price,
  priority, attempt, max_attempts, ttl_seconds, timeout_seconds, requested_at, expires_at`;
const INSERT_JOB_VALUES = `$1, $2, 'QUEUED', $3, $4::jsonb, $5, $6::jsonb,
  $7, $8, $9::int[], $10::text[], $11, $12, $19, $20::float8, $13, 0, $14, $15, $16, $17, $18`;

/**
 * MAX_QUEUED_JOBS_PER_CLIENT, checked by the insert itself: it counts at most $21 of the
 * client's QUEUED jobs (index jobs_client_queued_idx), so the check costs no more than the cap.
 * Concurrent submits of one client each see the others' rows only once committed, so the cap
 * can be overshot by the submits of that client in flight at the same moment (at most
 * DB_POOL_MAX per instance), never more.
 */
const QUEUED_UP_TO_CAP = `(select count(*) from (
    select 1 from jobs where client_id = $2 and state = 'QUEUED' limit $21) q)`;
const UNDER_QUEUE_CAP = `${QUEUED_UP_TO_CAP} < $21`;

interface EventId {
  event_id: string;
}

/** The `queued` event, written by the submit statement itself (after its CTE `j`). */
const QUEUED_EVENT = `ev as (
    insert into job_events (job_id, type, state, at) select id, 'queued', 'QUEUED', $17 from j
    returning id
  )
  select id::text as event_id from ev`;

function announceQueued(ctx: ServiceContext, view: JobView, eventId: string, now: Date): void {
  ctx.events.publish([
    {
      event_id: eventId,
      job_id: view.job_id,
      type: 'queued',
      state: 'QUEUED',
      at: now.toISOString(),
    },
  ]);
}

const queueLimit = (cap: number) =>
  new AppError(
    'QUEUE_LIMIT',
    `this client already has ${cap} queued jobs (MAX_QUEUED_JOBS_PER_CLIENT)`,
  );

async function queuedJobsAtCap(ctx: ServiceContext, clientId: string): Promise<boolean> {
  const { rows } = await ctx.db.query<{ full: boolean }>(
    `select count(*) >= $2 as full from (
       select 1 from jobs where client_id = $1 and state = 'QUEUED' limit $2) q`,
    [clientId, ctx.config.maxQueuedJobsPerClient],
  );
  return rows[0]?.full === true;
}

/**
 * Creates a QUEUED job; with a `service`, as that service's plan makes it (plan-job.ts: payload
 * defaults, constraints, run timeout, estimated price). With an Idempotency-Key, the key row and
 * the job are inserted by one statement, so concurrent duplicates create exactly one job: the
 * losers wait on the key's unique index, insert nothing, then read the winner's stored response.
 */
export async function submitJob(
  ctx: ServiceContext,
  clientId: string,
  input: SubmitJobInput,
  idempotencyKey: string | null,
): Promise<SubmitResult> {
  const { config, clock } = ctx;
  const now = clock.now();
  const id = uuidv7(now);
  const ttl = input.ttl_seconds ?? config.jobTtlSeconds;
  const plan = planJob(config, input);
  const { requirements, constraints } = plan;
  const view: JobView = {
    job_id: id,
    state: 'QUEUED',
    service: plan.service,
    constraints,
    priority: input.priority ?? 0,
    attempt: 0,
    max_attempts: input.max_attempts ?? config.jobMaxAttempts,
    assigned_miner_id: null,
    requested_at: now.toISOString(),
    started_at: null,
    completed_at: null,
    expires_at: addSeconds(now, ttl).toISOString(),
    error: null,
    estimated_price: plan.estimatedPrice,
  };
  const params = [
    id,
    clientId,
    view.service,
    JSON.stringify(plan.payload),
    canonicalSha256(plan.payload),
    JSON.stringify(constraints),
    requirements.gpu,
    requirements.minVramGb,
    requirements.cuda,
    requirements.models,
    requirements.region,
    requirements.maxPrice,
    view.priority,
    view.max_attempts,
    ttl,
    plan.timeoutSeconds,
    now,
    addSeconds(now, ttl),
    requirements.service,
    plan.estimatedPrice,
  ];

  params.push(config.maxQueuedJobsPerClient);
  if (idempotencyKey === null) {
    const inserted = await ctx.db.query<EventId>(
      `with j as (
         insert into jobs (${INSERT_JOB_COLUMNS}) select ${INSERT_JOB_VALUES} where ${UNDER_QUEUE_CAP}
         returning id
       ), ${QUEUED_EVENT}`,
      params,
    );
    if (inserted.rows.length === 0) throw queueLimit(config.maxQueuedJobsPerClient);
    announceQueued(ctx, view, inserted.rows[0]!.event_id, now);
    ctx.signal.jobQueued(requirements);
    return { job: view, replayed: false };
  }

  const requestSha = canonicalSha256(input);
  // Over the cap, the key row is not written either: a retry once there is room creates the job.
  const inserted = await ctx.db.query<EventId>(
    `with k as (
       insert into idempotency_keys (client_id, key, request_sha256, job_id, response, created_at)
       select $2, $22, $23, $1, $24::jsonb, $17 where ${UNDER_QUEUE_CAP}
       on conflict (client_id, key) do nothing
       returning job_id
     ), j as (
       insert into jobs (${INSERT_JOB_COLUMNS})
       select ${INSERT_JOB_VALUES} from k
       returning id
     ), ${QUEUED_EVENT}`,
    [...params, idempotencyKey, requestSha, JSON.stringify(view)],
  );
  if (inserted.rows.length === 1) {
    announceQueued(ctx, view, inserted.rows[0]!.event_id, now);
    ctx.signal.jobQueued(requirements);
    return { job: view, replayed: false };
  }
  const { rows } = await ctx.db.query<{ request_sha256: string; response: JobView }>(
    'select request_sha256, response from idempotency_keys where client_id = $1 and key = $2',
    [clientId, idempotencyKey],
  );
  const original = rows[0];
  if (!original && (await queuedJobsAtCap(ctx, clientId))) {
    throw queueLimit(config.maxQueuedJobsPerClient);
  }
  if (!original) {
    // The winner's key row was deleted between our insert and read (retention sweep): retry.
    return submitJob(ctx, clientId, input, idempotencyKey);
  }
  if (original.request_sha256 !== requestSha) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was already used with a different request body',
    );
  }
  return { job: original.response, replayed: true };
}
