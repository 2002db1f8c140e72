import { AitbcError, toAitbcError } from './errors.js';
import { type EventStream, type OpenStreamOptions, streamError } from './event-stream.js';
import { sleep } from './resilient-fetch.js';

/**
 * One event of a job's stream (contract §7a), written out so that the published declarations
 * need no zod; `job-stream.test.ts` checks that it matches the contract's schema both ways.
 */
export interface JobStreamEvent {
  /** Increases along the job's stream; resume after it with `lastEventId`. */
  event_id: string;
  job_id: string;
  type:
    | 'queued'
    | 'running'
    | 'progress'
    | 'requeued'
    | 'completed'
    | 'failed'
    | 'canceled'
    | 'expired';
  /** The job's state after the event. */
  state: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'EXPIRED';
  at: string;
  attempt?: number;
  miner_id?: string;
  /** 0..100, on progress events. */
  progress?: number;
  message?: string;
  receipt_id?: string;
  error?: { code: string; message: string };
}

export interface WatchOptions {
  signal?: AbortSignal;
  /** Resume after this event id (one the caller already saw). */
  lastEventId?: string;
}

const TERMINAL_TYPES: readonly string[] = ['completed', 'failed', 'canceled', 'expired'];
const RESUMABLE: readonly string[] = ['NETWORK_ERROR', 'NOT_READY'];
/** Reconnect delays after a dropped stream: quick at first, then at most every 5 s. */
const RECONNECT = { firstMs: 100, maxMs: 5000 };

/**
 * A job's events from `jobs.watch`: its current state first, then every transition, ending
 * after the terminal event. A dropped connection is reopened with the last event id seen, so
 * nothing is missed or repeated. Rejects with the server's error (NOT_FOUND for a job that is
 * not the caller's), and with StreamUnavailable when the coordinator does not serve the stream.
 */
export async function* watchJob(
  open: (
    options: Pick<OpenStreamOptions, 'path' | 'input' | 'lastEventId' | 'signal'>,
  ) => Promise<EventStream>,
  jobId: string,
  options: WatchOptions = {},
): AsyncGenerator<JobStreamEvent, void, undefined> {
  let lastEventId = options.lastEventId;
  let delay = RECONNECT.firstMs;
  let everConnected = false;
  for (;;) {
    let stream: EventStream;
    try {
      stream = await open({
        path: 'jobs.watch',
        input: { job_id: jobId },
        lastEventId,
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const refused = toAitbcError(error);
      if (refused.status !== 0 || !everConnected) throw new StreamUnavailable(refused);
      await sleep(delay, options.signal);
      delay = Math.min(RECONNECT.maxMs, delay * 2);
      continue;
    }
    everConnected = true;
    try {
      for await (const message of stream.messages) {
        if (message.event === 'serialized-error') throw streamError(message);
        if (message.event !== 'message') continue;
        const event = JSON.parse(message.data) as JobStreamEvent;
        lastEventId = event.event_id;
        delay = RECONNECT.firstMs;
        yield event;
        if (TERMINAL_TYPES.includes(event.type)) return;
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      // A drop, or a stream the server ended because it fell behind (NOT_READY): resume.
      const resumable = error instanceof AitbcError && RESUMABLE.includes(error.code);
      if (!resumable) throw error;
    } finally {
      stream.close();
    }
    // Dropped, or ended by the server (shutdown) before the job did: reconnect and resume.
    await sleep(delay, options.signal);
    delay = Math.min(RECONNECT.maxMs, delay * 2);
  }
}

/** The coordinator does not serve the stream (an older one, or a proxy in between): poll instead. */
export class StreamUnavailable extends Error {
  override readonly name = 'StreamUnavailable';
  constructor(readonly reason: AitbcError) {
    super(`streaming is unavailable: ${reason.message}`, { cause: reason });
  }
}
