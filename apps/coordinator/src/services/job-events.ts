import {
  type JobStreamEvent,
  type JobStreamEventType,
  TERMINAL_STREAM_EVENT_TYPES,
} from '@aitbc/contracts';

/** A subscriber gets the events as published; `end` when the hub closes (shutdown). */
export interface EventListener {
  event(event: JobStreamEvent): void;
  end(): void;
}

/** Where locally written events go besides this process (event-relay.ts); null: nowhere. */
export interface EventOutbox {
  jobEvents(events: readonly JobStreamEvent[]): void;
}

/**
 * The in-process hub of job events: every statement that writes `job_events` rows publishes them
 * here right after it returns (with the ids its RETURNING gave, so nobody reads them back).
 * Watchers subscribe per job or to all jobs. Events written by another instance arrive through
 * the relay (event-relay.ts) and are delivered with `deliver`, which does not relay them again.
 */
export class JobEventHub {
  private readonly byJob = new Map<string, Set<EventListener>>();
  private readonly everyJob = new Set<EventListener>();
  private readonly writeHooks = new Set<() => void>();
  private outbox: EventOutbox | null = null;
  private closed = false;

  setOutbox(outbox: EventOutbox | null): void {
    this.outbox = outbox;
  }

  /** Events this instance wrote: delivered here and relayed to the other instances. */
  publish(events: readonly JobStreamEvent[]): void {
    if (events.length === 0) return;
    this.deliver(events);
    this.outbox?.jobEvents(events);
    for (const hook of this.writeHooks) hook();
  }

  /**
   * Calls `hook` whenever this instance wrote events (for work that reads them from the table,
   * such as the webhook outbox). Unlike a subscriber, it is not a watcher: the relay does not
   * read other instances' events on its account, since their own hooks handle those.
   */
  onWritten(hook: () => void): () => void {
    this.writeHooks.add(hook);
    return () => this.writeHooks.delete(hook);
  }

  /** Delivers to this process's subscribers only. */
  deliver(events: readonly JobStreamEvent[]): void {
    for (const event of events) {
      for (const l of this.byJob.get(event.job_id) ?? []) l.event(event);
      for (const l of this.everyJob) l.event(event);
    }
  }

  /** Whether anyone here listens to this job (the relay reads remote events only then). */
  wants(jobId: string): boolean {
    return this.everyJob.size > 0 || this.byJob.has(jobId);
  }

  /** Subscribes to one job (`jobId`) or to every job (null); returns the unsubscribe. */
  subscribe(jobId: string | null, listener: EventListener): () => void {
    if (this.closed) {
      listener.end();
      return () => {};
    }
    if (jobId === null) {
      this.everyJob.add(listener);
      return () => this.everyJob.delete(listener);
    }
    const set = this.byJob.get(jobId) ?? new Set<EventListener>();
    this.byJob.set(jobId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byJob.get(jobId) === set) this.byJob.delete(jobId);
    };
  }

  /** Shutdown: every stream ends now, so open SSE/WS connections do not hold the close. */
  close(): void {
    this.closed = true;
    for (const set of this.byJob.values()) for (const l of set) l.end();
    for (const l of this.everyJob) l.end();
    this.byJob.clear();
    this.everyJob.clear();
  }
}

export const isTerminalEvent = (type: JobStreamEventType): boolean =>
  (TERMINAL_STREAM_EVENT_TYPES as readonly string[]).includes(type);

/** A `job_events` row as selected with EVENT_COLUMNS. */
export interface JobEventRow {
  event_id: string;
  job_id: string;
  type: JobStreamEventType;
  state: JobStreamEvent['state'];
  at: Date;
  attempt: number | null;
  miner_id: string | null;
  progress: number | null;
  message: string | null;
  receipt_id: string | null;
  error_code: string | null;
  error_message: string | null;
}

export const EVENT_COLUMNS = `id::text as event_id, job_id, type, state, at, attempt, miner_id,
  progress, message, receipt_id, error_code, error_message`;

/** The fields of one event besides its id, as a statement's caller knows them. */
export type EventFacts = Omit<JobEventRow, 'event_id' | 'at' | 'progress' | 'message'> & {
  at: Date;
  progress?: number | null;
  message?: string | null;
};

/** The wire form: absent values are left out (contract §7a). */
export function toStreamEvent(row: EventFacts & { event_id: string }): JobStreamEvent {
  const event: JobStreamEvent = {
    event_id: String(row.event_id),
    job_id: row.job_id,
    type: row.type,
    state: row.state,
    at: row.at.toISOString(),
  };
  if (row.attempt !== null && row.attempt > 0) event.attempt = row.attempt;
  if (row.miner_id !== null) event.miner_id = row.miner_id;
  if (row.progress !== null && row.progress !== undefined) event.progress = row.progress;
  if (row.message !== null && row.message !== undefined) event.message = row.message;
  if (row.receipt_id !== null) event.receipt_id = row.receipt_id;
  if (row.error_code !== null)
    event.error = { code: row.error_code, message: row.error_message ?? '' };
  return event;
}
