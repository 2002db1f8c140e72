import { z } from 'zod';

// Its own module (re-exported by events.ts) so that jobs.ts can name the event types for
// `webhook_events` without an import cycle: events.ts imports jobs.ts.

/** What happened to a job (contract §7a); each is one event on its stream. */
export const JOB_STREAM_EVENT_TYPES = [
  'queued',
  'running',
  'progress',
  'requeued',
  'completed',
  'failed',
  'canceled',
  'expired',
] as const;
export const JobStreamEventType = z.enum(JOB_STREAM_EVENT_TYPES);
export type JobStreamEventType = z.infer<typeof JobStreamEventType>;

/** The event types after which a job's stream ends. */
export const TERMINAL_STREAM_EVENT_TYPES = ['completed', 'failed', 'canceled', 'expired'] as const;
