import { AppError, type JobStreamEvent } from '@aitbc/contracts';
import type { ServiceContext } from './context.js';
import { EVENT_COLUMNS, type EventListener, isTerminalEvent, toStreamEvent } from './job-events.js';

/** Events a slow watcher may have waiting; past it the stream ends and the client resumes. */
const MAX_BUFFERED = 10_000;
/** Stored events read per query when an admin stream catches up. */
const CATCH_UP_PAGE = 1000;

/** A subscriber's buffer: the hub pushes, the stream pulls (waiting when empty). */
class EventBuffer implements EventListener {
  private items: JobStreamEvent[] = [];
  private ended = false;
  private overflowed = false;
  private wake: (() => void) | null = null;

  event(event: JobStreamEvent): void {
    if (this.items.length >= MAX_BUFFERED) this.overflowed = true;
    else this.items.push(event);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The next event, or null once the hub closed or `signal` aborted. */
  async next(signal: AbortSignal | undefined): Promise<JobStreamEvent | null> {
    for (;;) {
      if (this.overflowed)
        throw new AppError('NOT_READY', 'this stream fell too far behind; resume it');
      const item = this.items.shift();
      if (item) return item;
      if (this.ended || signal?.aborted) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      this.wake = null;
    }
  }

  private notify(): void {
    this.wake?.();
  }
}

const after = (lastEventId: string | undefined): string => lastEventId ?? '0';

/**
 * Checks that the job is the client's (another client's job is NOT_FOUND, like a missing one)
 * before a stream is opened, so the error reaches the caller as the call's error.
 */
export async function assertOwnJob(
  ctx: ServiceContext,
  clientId: string,
  jobId: string,
): Promise<void> {
  const { rows } = await ctx.db.query('select 1 from jobs where id = $1 and client_id = $2', [
    jobId,
    clientId,
  ]);
  if (rows.length === 0) throw new AppError('NOT_FOUND', `job ${jobId} not found`);
}

/**
 * One job's events: the stored ones after `lastEventId` (from the beginning without it), then
 * live ones, until a terminal event. The hub subscription is made BEFORE the stored events are
 * read, so nothing written in between is missed; what both deliver is skipped by id. A job's
 * events are written under its row lock, so their ids increase in commit order.
 */
export async function* watchJob(
  ctx: ServiceContext,
  jobId: string,
  lastEventId: string | undefined,
  signal?: AbortSignal,
): AsyncGenerator<JobStreamEvent> {
  const buffer = new EventBuffer();
  const unsubscribe = ctx.events.subscribe(jobId, buffer);
  try {
    let last = BigInt(after(lastEventId));
    const { rows } = await ctx.db.query(
      `select ${EVENT_COLUMNS} from job_events where job_id = $1 and id > $2::bigint order by id`,
      [jobId, last.toString()],
    );
    for (const row of rows) {
      const event = toStreamEvent(row as never);
      last = BigInt(event.event_id);
      yield event;
      if (isTerminalEvent(event.type)) return;
    }
    for (;;) {
      const event = await buffer.next(signal);
      if (event === null) return;
      if (BigInt(event.event_id) <= last) continue;
      last = BigInt(event.event_id);
      yield event;
      if (isTerminalEvent(event.type)) return;
    }
  } finally {
    unsubscribe();
  }
}

/**
 * Every job's events (admin.events): live from now on, or first the stored ones after
 * `lastEventId`. Across jobs, ids increase in the order rows were inserted, which two concurrent
 * commits may not follow: a resume after an id may miss an event of another job that committed
 * just after it with a smaller id. Per job, ids follow commits (see watchJob).
 */
export async function* watchAllJobs(
  ctx: ServiceContext,
  lastEventId: string | undefined,
  signal?: AbortSignal,
): AsyncGenerator<JobStreamEvent> {
  const buffer = new EventBuffer();
  const unsubscribe = ctx.events.subscribe(null, buffer);
  try {
    const replayed = new Set<string>();
    if (lastEventId !== undefined) {
      let cursor = lastEventId;
      for (;;) {
        const { rows } = await ctx.db.query(
          `select ${EVENT_COLUMNS} from job_events where id > $1::bigint order by id limit $2`,
          [cursor, CATCH_UP_PAGE],
        );
        for (const row of rows) {
          const event = toStreamEvent(row as never);
          replayed.add(event.event_id);
          cursor = event.event_id;
          yield event;
        }
        if (rows.length < CATCH_UP_PAGE) break;
      }
    }
    for (;;) {
      const event = await buffer.next(signal);
      if (event === null) return;
      if (replayed.delete(event.event_id)) continue;
      yield event;
    }
  } finally {
    unsubscribe();
  }
}
