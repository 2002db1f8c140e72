import { Migration } from '@mikro-orm/migrations';

/**
 * The job event log behind jobs.watch, admin.events and webhooks (contract §7a). Each state
 * change inserts its event in the same statement as the change, so the log and the job never
 * disagree; the row id orders events (per job and overall) and is the stream's event id.
 */
export class Migration20261128000003JobEvents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table job_events (
        id bigint generated always as identity primary key,
        job_id text not null,
        type text not null check (type in ('queued', 'running', 'progress', 'requeued',
          'completed', 'failed', 'canceled', 'expired')),
        state text not null,
        at timestamptz not null,
        attempt int,
        miner_id text,
        progress real check (progress between 0 and 100),
        message text,
        receipt_id text,
        error_code text,
        error_message text
      );
      -- A job's stream, resumed after an id.
      create index job_events_job_idx on job_events (job_id, id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists job_events;');
  }
}
