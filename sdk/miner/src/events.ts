import type { Registration } from './miner-api.js';
import type { Receipt } from './wire-types.js';

/** The call or step an `error` event happened in. */
export type MinerStep =
  | 'register'
  | 'heartbeat'
  | 'poll'
  | 'push'
  | 'result'
  | 'fail'
  | 'drain'
  | 'executor'
  | 'on_event';

/** Everything the runtime reports through `onEvent`, one variant per `type`. */
export type MinerEvent =
  | { type: 'registered'; registration: Registration }
  | { type: 'job_started'; jobId: string; leaseId: string; attempt: number; service: string | null }
  | { type: 'job_completed'; jobId: string; leaseId: string; receipt: Receipt; durationMs: number }
  | {
      type: 'job_failed';
      jobId: string;
      leaseId: string;
      code: string;
      message: string;
      retryable: boolean;
      /** The job's state after the failure (QUEUED when requeued); null when it was not told. */
      jobState: string | null;
    }
  /** The coordinator canceled a running job: its signal was aborted and the cancel acknowledged. */
  | { type: 'job_canceled'; jobId: string; leaseId: string }
  /**
   * The job is no longer ours and its outcome is dropped: a result or failure was refused with
   * 409 LEASE_LOST, or (`heartbeat`) the coordinator lost sight of this miner for longer than a
   * lease, so the job's signal was aborted.
   */
  | { type: 'lease_lost'; jobId: string; leaseId: string; during: 'result' | 'fail' | 'heartbeat' }
  | {
      type: 'error';
      step: MinerStep;
      error: unknown;
      /** True when the miner stops because of it (401/403). */
      fatal: boolean;
      /** When the failed step is tried again, if it is. */
      retryInMs: number | null;
    }
  /**
   * How jobs reach the miner from now on: `push` once the push channel (miners.assignments) is
   * open, `poll` when it is unavailable or dropped (`reason`); push is tried again later.
   */
  | { type: 'dispatch'; mode: 'push' | 'poll'; reason: string | null }
  | { type: 'draining'; inflight: number }
  | { type: 'stopped'; reason: 'stop' | 'fatal' };

export type MinerEventType = MinerEvent['type'];

/** A `console`-shaped logger; the runtime logs nothing unless one is given. */
export interface MinerLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: MinerLogger = { info() {}, warn() {}, error() {} };
