import type { JobMetrics } from './executor.js';
import type { AssignedJob, Assignment, MinerCapabilities, Receipt } from './wire-types.js';

/**
 * The miner calls of contract §4 and §7a, as the runtime needs them. `createTrpcMinerApi` implements
 * it over the `@aitbc/client` transport; unit tests implement it in memory. A failed call throws
 * an error carrying the coordinator's `code` and HTTP `status` when there was an answer (as
 * `AitbcError` does); anything else is treated as a network failure.
 */
export interface MinerApi {
  register(input: RegisterInput, options: CallOptions): Promise<Registration>;
  heartbeat(input: { inflight: number }, options: CallOptions): Promise<HeartbeatAnswer>;
  poll(input: { max_wait_seconds: number }, options: CallOptions): Promise<AssignedJob | null>;
  result(input: ResultInput, options: CallOptions): Promise<{ receipt: Receipt }>;
  fail(input: FailInput, options: CallOptions): Promise<{ job_state: string }>;
  drain(options: CallOptions): Promise<{ inflight: number }>;
  /**
   * Opens the push channel (miners.assignments). Rejects when the coordinator does not offer it
   * or refuses it; the stream then yields assignments until it ends or drops (throws). Optional:
   * without it the miner long-polls.
   */
  assignments?(options: { signal: AbortSignal }): Promise<AsyncIterable<Assignment>>;
  /** POST /v1/miners/{job_id}/progress. Optional: without it `job.progress()` does nothing. */
  progress?(input: ProgressInput, options: CallOptions): Promise<unknown>;
}

export interface ProgressInput {
  job_id: string;
  lease_id: string;
  progress: number;
  message?: string;
}

export interface CallOptions {
  /** Client-side timeout of each HTTP request of this call. */
  timeoutMs: number;
  /** Aborts the call, e.g. a long-poll when the miner stops. */
  signal?: AbortSignal;
}

export interface RegisterInput {
  capabilities: MinerCapabilities;
  concurrency: number;
  region?: string;
}

/** The answer of `miners.register`. */
export interface Registration {
  miner_id: string;
  heartbeat_interval_seconds: number;
  lease_seconds: number;
}

export interface HeartbeatAnswer {
  status: 'ONLINE' | 'DRAINING' | 'OFFLINE';
  cancel_job_ids: string[];
}

export interface ResultInput {
  job_id: string;
  lease_id: string;
  result: unknown;
  metrics?: JobMetrics;
}

export interface FailInput {
  job_id: string;
  lease_id: string;
  error_code: string;
  error_message: string;
  retryable: boolean;
}

/** How the runtime reacts to a failed call. */
export type FailureKind =
  /** 409 LEASE_LOST: the job is no longer ours; drop it, never retry. */
  | 'lease_lost'
  /** 409 MINER_NOT_REGISTERED: the coordinator forgot us; register again. */
  | 'not_registered'
  /** 401/403: the key is wrong; retrying cannot help, the miner stops. */
  | 'unauthorized'
  /** Any other answered 4xx: our request was refused as sent. */
  | 'rejected'
  /** Network errors, timeouts, 429 and 5xx (after the transport's own retries): back off. */
  | 'transient';

export function classifyFailure(err: unknown): FailureKind {
  const { status, code } = errorFields(err);
  if (code === 'LEASE_LOST') return 'lease_lost';
  if (code === 'MINER_NOT_REGISTERED') return 'not_registered';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return 'rejected';
  }
  return 'transient';
}

/**
 * The `code` and HTTP `status` an API error carries, if any: read from the error itself (an
 * `AitbcError`), else from its `cause`, else from a tRPC error's `data` (`code`, `httpStatus`).
 */
export function errorFields(err: unknown): { status?: number; code?: string } {
  for (let e = err, depth = 0; isObject(e) && depth < 3; e = e.cause, depth++) {
    const data = isObject(e.data) ? e.data : {};
    const code = typeof e.code === 'string' ? e.code : data.code;
    const status = typeof e.status === 'number' ? e.status : data.httpStatus;
    if (typeof code === 'string' || typeof status === 'number') {
      return {
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof status === 'number' && status > 0 ? { status } : {}),
      };
    }
  }
  return {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
