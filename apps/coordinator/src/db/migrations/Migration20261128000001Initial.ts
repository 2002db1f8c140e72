import { Migration } from '@mikro-orm/migrations';

/**
 * The whole schema. CHECK constraints restate the job state machine so that no code path, however
 * buggy, can store a job that the lifecycle forbids.
 */
export class Migration20261128000001Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table miners (
        id text primary key,
        status text not null check (status in ('ONLINE', 'DRAINING', 'OFFLINE')),
        -- Drained until it registers again, even across a spell OFFLINE.
        draining boolean not null default false,
        constraint miners_draining_status check (status <> 'DRAINING' or draining),
        concurrency int not null check (concurrency >= 1),
        inflight int not null default 0 check (inflight >= 0),
        region text,
        capabilities jsonb not null,
        gpus jsonb not null default '[]',
        cuda int[],
        models text[] not null default '{}',
        match_region text,
        price double precision,
        -- Registry service ids it offers (normalized, like models).
        services text[] not null default '{}',
        metadata jsonb,
        registered_at timestamptz not null,
        last_seen_at timestamptz not null,
        jobs_completed int not null default 0,
        jobs_failed int not null default 0
      );
      create index miners_status_idx on miners (status, id);

      create table jobs (
        id text primary key,
        client_id text not null,
        state text not null check (state in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED')),
        service text,
        payload jsonb not null,
        payload_sha256 text not null,
        constraints jsonb not null default '{}',
        req_gpu text,
        req_vram double precision,
        req_cuda int[],
        req_models text[] not null default '{}',
        req_region text,
        req_max_price double precision,
        req_service text,
        -- From the service's pricing at submit; the receipt's price when the miner reports none.
        estimated_price double precision,
        priority int not null default 0,
        attempt int not null default 0,
        max_attempts int not null check (max_attempts >= 1),
        ttl_seconds int not null check (ttl_seconds >= 1),
        timeout_seconds int not null check (timeout_seconds >= 1),
        assigned_miner_id text,
        lease_id text,
        lease_expires_at timestamptz,
        -- started_at + timeout_seconds, kept as a column so the timeout sweep can use an index.
        run_deadline_at timestamptz,
        requested_at timestamptz not null,
        started_at timestamptz,
        completed_at timestamptz,
        expires_at timestamptz not null,
        result jsonb,
        error_code text,
        error_message text,
        constraint jobs_attempt_range check (attempt >= 0 and attempt <= max_attempts),
        constraint jobs_terminal_has_completed_at
          check ((state in ('COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED')) = (completed_at is not null)),
        constraint jobs_running_has_lease check (state <> 'RUNNING' or (
          lease_id is not null and assigned_miner_id is not null and lease_expires_at is not null
          and started_at is not null and run_deadline_at is not null and attempt >= 1)),
        constraint jobs_queued_has_no_lease check (state <> 'QUEUED' or (
          lease_id is null and assigned_miner_id is null and started_at is null)),
        constraint jobs_completed_has_result check (state <> 'COMPLETED' or (result is not null and lease_id is not null)),
        constraint jobs_failed_has_error check (state <> 'FAILED' or error_code is not null)
      );
      -- The only index over QUEUED jobs, on purpose: the claim must walk it in hand-out order
      -- (see claim-job.ts); the expiry sweep filters it too.
      create index jobs_queue_idx on jobs (priority desc, requested_at, id) where state = 'QUEUED';
      create index jobs_running_lease_idx on jobs (lease_expires_at) where state = 'RUNNING';
      create index jobs_running_deadline_idx on jobs (run_deadline_at) where state = 'RUNNING';
      create index jobs_running_miner_idx on jobs (assigned_miner_id) where state = 'RUNNING';
      create index jobs_client_idx on jobs (client_id, id desc);
      create index jobs_miner_idx on jobs (assigned_miner_id, id desc);

      create table job_attempts (
        lease_id text primary key,
        job_id text not null references jobs (id) on delete cascade,
        attempt int not null check (attempt >= 1),
        miner_id text not null,
        claimed_at timestamptz not null,
        ended_at timestamptz,
        outcome text check (outcome in ('COMPLETED', 'FAILED', 'REQUEUED', 'LEASE_EXPIRED', 'CANCELED', 'TIMEOUT')),
        error_code text,
        cancel_notice_until timestamptz,
        unique (job_id, attempt),
        constraint job_attempts_outcome_when_ended check ((outcome is null) = (ended_at is null))
      );
      create index job_attempts_cancel_notice_idx on job_attempts (miner_id, cancel_notice_until)
        where cancel_notice_until is not null;

      create table receipts (
        id text primary key,
        job_id text not null references jobs (id) on delete cascade,
        lease_id text not null unique references job_attempts (lease_id),
        client_id text not null,
        miner_id text not null,
        body jsonb not null,
        issued_at timestamptz not null
      );
      create index receipts_job_idx on receipts (job_id, id);

      create table idempotency_keys (
        client_id text not null,
        key text not null,
        request_sha256 text not null,
        job_id text not null references jobs (id) on delete cascade,
        response jsonb not null,
        created_at timestamptz not null,
        primary key (client_id, key)
      );
      create index idempotency_keys_created_idx on idempotency_keys (created_at);

      create table settlements (
        receipt_id text primary key references receipts (id),
        job_id text not null,
        client_id text not null,
        miner_id text not null,
        units double precision not null,
        unit_type text not null,
        price double precision,
        status text not null default 'PENDING' check (status in ('PENDING', 'SETTLED', 'FAILED')),
        created_at timestamptz not null
      );
    `);
  }
}
