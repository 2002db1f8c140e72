import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks (contract §7a): a job's webhook, the outbox its events are delivered from, every
 * delivery attempt, and the dispatcher's cursor over job_events.
 */
export class Migration20261128000004Webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table jobs
        add column webhook_url text,
        add column webhook_events text[],
        add constraint jobs_webhook_events_need_url
          check (webhook_events is null or webhook_url is not null);

      -- The last job_events id turned into outbox rows. One row, advanced in the same
      -- transaction as the inserts it covers, so a crash repeats work and never skips it.
      create table webhook_cursor (
        singleton boolean primary key default true check (singleton),
        last_event_id bigint not null
      );
      -- Starts after the events that exist now: no job has a webhook before this migration.
      insert into webhook_cursor (last_event_id) select coalesce(max(id), 0) from job_events;

      -- One row per event to deliver; id is the webhook-id header, the same on every attempt.
      -- next_attempt_at is null once the delivery is settled (delivered or given up).
      create table webhook_deliveries (
        id text primary key,
        job_id text not null,
        event_id bigint not null unique,
        event_type text not null,
        url text not null,
        body text not null,
        attempts int not null default 0,
        created_at timestamptz not null,
        next_attempt_at timestamptz,
        delivered_at timestamptz,
        failed_at timestamptz,
        last_status int,
        last_error text,
        constraint webhook_deliveries_settled
          check (next_attempt_at is null or (delivered_at is null and failed_at is null))
      );
      -- Due rows, for the dispatcher's claim; settled rows drop out of it.
      create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at)
        where next_attempt_at is not null;
      create index webhook_deliveries_job_idx on webhook_deliveries (job_id, event_id);

      create table webhook_attempts (
        delivery_id text not null references webhook_deliveries (id) on delete cascade,
        attempt int not null,
        at timestamptz not null,
        status_code int,
        error text,
        duration_ms int not null,
        primary key (delivery_id, attempt)
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists webhook_attempts;');
    this.addSql('drop table if exists webhook_deliveries;');
    this.addSql('drop table if exists webhook_cursor;');
    this.addSql(
      'alter table jobs drop constraint if exists jobs_webhook_events_need_url, drop column if exists webhook_url, drop column if exists webhook_events;',
    );
  }
}
