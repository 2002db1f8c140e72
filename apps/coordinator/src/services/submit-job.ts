import { AppError, type JobView, type SubmitJobInput } from '@aitbc/contracts';
import { canonicalSha256 } from '@aitbc/receipts/node';
import { addSeconds } from './clock.js';
import type { ServiceContext } from './context.js';
import { GroupCommit } from './group-commit.js';
import { uuidv7 } from './ids.js';
import { planJob } from './plan-job.js';
import { jobWebhookOf } from './webhooks/job-webhook.js';

export interface SubmitResult {
  job: JobView;
  /** True when an Idempotency-Key matched an earlier identical submit. */
  replayed: boolean;
}

/** The columns of a new job's row as `jsonb_to_recordset` reads them from NewJobRow objects. */
const NEW_JOB_COLUMN_TYPES = `id text, client_id text, service text, payload jsonb,
  payload_sha256 text, constraints jsonb, req_gpu text, req_vram float8, req_cuda int[],
  req_models text[], req_region text, req_max_price float8, req_service text,
  estimated_price float8, priority int, max_attempts int, ttl_seconds int, timeout_seconds int,
  requested_at timestamptz, expires_at timestamptz, webhook_url text, webhook_events text[]`;

/** CTE `i`: the new jobs of `$1`, a JSON array of NewJobRow objects, each with its position `n`. */
const NEW_JOBS = `i as (
    select * from jsonb_to_recordset($1::jsonb) as i(n int, ${NEW_JOB_COLUMN_TYPES})
  )`;
const newJobsParam = (rows: NewJobRow[]) => JSON.stringify(rows.map((row, n) => ({ n, ...row })));

/**
 * Inserts the rows of CTE `source` as QUEUED jobs with their `queued` events, and returns
 * `job_id, event_id` for each: the end of both insert statements.
 */
const insertQueued = (source: string) => `j as (
    insert into jobs (id, client_id, state, service, payload, payload_sha256, constraints,
      req_gpu, req_vram, req_cuda, req_models, req_region, req_max_price, req_service,
      estimated_price, priority, attempt, max_attempts, ttl_seconds, timeout_seconds,
      requested_at, expires_at, webhook_url, webhook_events)
    select id, client_id, 'QUEUED', service, payload, payload_sha256, constraints, req_gpu,
      req_vram, req_cuda, coalesce(req_models, '{}'), req_region, req_max_price, req_service,
      estimated_price, priority, 0, max_attempts, ttl_seconds, timeout_seconds, requested_at,
      expires_at, webhook_url, webhook_events
    from ${source}
    returning id, requested_at
  ), ev as (
    insert into job_events (job_id, type, state, at)
    select id, 'queued', 'QUEUED', requested_at from j
    returning job_id, id
  )
  select job_id, id::text as event_id from ev`;

/**
 * MAX_QUEUED_JOBS_PER_CLIENT is counted by the statements themselves: the client's QUEUED jobs,
 * at most `cap` of them (index jobs_client_queued_idx), so a check costs no more than the cap.
 */
const queuedUpTo = (client: string, cap: string) => `(select count(*) from (
    select 1 from jobs where jobs.client_id = ${client} and state = 'QUEUED' limit ${cap}) q)`;

interface QueuedEvent {
  job_id: string;
  event_id: string;
}

/** One new job's row, as both insert statements read it (NEW_JOBS). */
export interface NewJobRow {
  id: string;
  client_id: string;
  service: string | null;
  payload: unknown;
  payload_sha256: string;
  constraints: unknown;
  req_gpu: string | null;
  req_vram: number | null;
  req_cuda: number[] | null;
  req_models: string[];
  req_region: string | null;
  req_max_price: number | null;
  req_service: string | null;
  estimated_price: number | null;
  priority: number;
  max_attempts: number;
  ttl_seconds: number;
  timeout_seconds: number;
  requested_at: Date;
  expires_at: Date;
  webhook_url: string | null;
  webhook_events: string[] | null;
}

/** Most jobs inserted by one statement. */
const MAX_INSERT_BATCH = 200;

/**
 * Inserts new jobs (without an Idempotency-Key) by group commit: one statement and one commit for
 * all submits that arrived while the previous insert was in flight. Each job is inserted with its
 * `queued` event, or not at all when its client is at MAX_QUEUED_JOBS_PER_CLIENT: the cap counts
 * the client's QUEUED rows (at most the cap of them, via jobs_client_queued_idx) plus the jobs
 * ahead of it in the same batch. Concurrent batches of other instances see each other's rows only
 * once committed, so the cap can be overshot by what is in flight at that moment, never more.
 * Resolves to the `queued` event id, or null when the cap refused the job.
 */
export function jobInserts(
  db: ServiceContext['db'],
  maxQueuedPerClient: number,
): GroupCommit<NewJobRow, string | null> {
  return new GroupCommit(async (rows) => {
    const { rows: written } = await db.query<QueuedEvent>(
      `with ${NEW_JOBS}, room as (
         select c.client_id, $2::int - ${queuedUpTo('c.client_id', '$2')} as free
         from (select distinct client_id from i) c
       ), ok as (
         select i.* from (
           select i.*, row_number() over (partition by i.client_id order by i.n) as rank from i
         ) i join room on room.client_id = i.client_id
         where i.rank <= room.free
         order by i.n
       ), ${insertQueued('ok')}`,
      [newJobsParam(rows), maxQueuedPerClient],
    );
    const events = new Map(written.map((w) => [w.job_id, w.event_id]));
    return rows.map((row) => events.get(row.id) ?? null);
  }, MAX_INSERT_BATCH);
}

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
    `select ${queuedUpTo('$1', '$2')} >= $2 as full`,
    [clientId, ctx.config.maxQueuedJobsPerClient],
  );
  return rows[0]?.full === true;
}

/**
 * Creates a QUEUED job; with a `service`, as that service's plan makes it (plan-job.ts: payload
 * defaults, constraints, run timeout, estimated price). With an Idempotency-Key, the key row and
 * the job are inserted by one statement, so concurrent duplicates create exactly one job: the
 * losers wait on the key's unique index, insert nothing, then read the winner's stored response.
 * That statement checks the queue cap too; statements see each other's rows only once committed,
 * so keyed submits in flight together (at most DB_POOL_MAX per instance) can overshoot the cap.
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
  const webhook = await jobWebhookOf(ctx, input);
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
  const row: NewJobRow = {
    id,
    client_id: clientId,
    service: view.service,
    payload: plan.payload,
    payload_sha256: canonicalSha256(plan.payload),
    constraints,
    req_gpu: requirements.gpu,
    req_vram: requirements.minVramGb,
    req_cuda: requirements.cuda,
    req_models: requirements.models,
    req_region: requirements.region,
    req_max_price: requirements.maxPrice,
    req_service: requirements.service,
    estimated_price: plan.estimatedPrice,
    priority: view.priority,
    max_attempts: view.max_attempts,
    ttl_seconds: ttl,
    timeout_seconds: plan.timeoutSeconds,
    requested_at: now,
    expires_at: addSeconds(now, ttl),
    webhook_url: webhook?.url ?? null,
    webhook_events: webhook?.events ?? null,
  };
  if (idempotencyKey === null) {
    const eventId = await ctx.jobInserts.add(row);
    if (eventId === null) throw queueLimit(config.maxQueuedJobsPerClient);
    announceQueued(ctx, view, eventId, now);
    ctx.signal.jobQueued(requirements);
    return { job: view, replayed: false };
  }

  const requestSha = canonicalSha256(input);
  // Over the cap, the key row is not written either: a retry once there is room creates the job.
  const inserted = await ctx.db.query<QueuedEvent>(
    `with ${NEW_JOBS}, k as (
       insert into idempotency_keys (client_id, key, request_sha256, job_id, response, created_at)
       select i.client_id, $3, $4, i.id, $5::jsonb, i.requested_at from i
       where ${queuedUpTo('i.client_id', '$2')} < $2
       on conflict (client_id, key) do nothing
       returning job_id
     ), keyed as (
       select i.* from i join k on k.job_id = i.id
     ), ${insertQueued('keyed')}`,
    [
      newJobsParam([row]),
      config.maxQueuedJobsPerClient,
      idempotencyKey,
      requestSha,
      JSON.stringify(view),
    ],
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
