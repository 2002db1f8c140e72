import type { JobState, JobStreamEventType } from '@aitbc/contracts';
import type { TestApp } from './test-app.js';

export interface EventFields {
  attempt?: number;
  miner_id?: string;
  receipt_id?: string;
  error_code?: string;
  error_message?: string;
}

const STATE_AFTER: Record<JobStreamEventType, JobState> = {
  queued: 'QUEUED',
  running: 'RUNNING',
  progress: 'RUNNING',
  requeued: 'QUEUED',
  completed: 'COMPLETED',
  failed: 'FAILED',
  canceled: 'CANCELED',
  expired: 'EXPIRED',
};

/**
 * Writes a job_events row as a transition would, at the test clock's time; returns its id.
 * (Until transitions write their own events, the webhook tests feed the log this way.)
 */
export async function insertEvent(
  t: TestApp,
  jobId: string,
  type: JobStreamEventType,
  fields: EventFields = {},
): Promise<number> {
  const { rows } = await t.app.services.db.query<{ id: number }>(
    `insert into job_events
       (job_id, type, state, at, attempt, miner_id, receipt_id, error_code, error_message)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
    [
      jobId,
      type,
      STATE_AFTER[type],
      t.clock.now(),
      fields.attempt ?? null,
      fields.miner_id ?? null,
      fields.receipt_id ?? null,
      fields.error_code ?? null,
      fields.error_message ?? null,
    ],
  );
  return rows[0]!.id;
}

/** Takes the next event id without writing it: the hole a rolled-back transition leaves. */
export async function burnEventId(t: TestApp): Promise<void> {
  await t.app.services.db.query(`select nextval(pg_get_serial_sequence('job_events', 'id'))`);
}
