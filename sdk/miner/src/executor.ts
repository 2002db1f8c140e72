import type { AssignedJob, JobConstraints, MinerCapabilities } from './wire-types.js';

/** The contract types a miner author needs (plain interfaces, checked against the contract). */
export type { AssignedJob, JobConstraints, MinerCapabilities };

/**
 * Metrics reported with a result or failure (contract `JobMetrics`: at most 32 keys);
 * `units`/`unit_type`/`price` flow into the receipt, the rest into its metadata.
 */
export type JobMetrics = {
  units?: number;
  unit_type?: string;
  price?: number;
  [metric: string]: string | number | boolean | undefined;
};

/** A claimed job as an executor sees it. */
export interface RunningJob {
  jobId: string;
  leaseId: string;
  /** 1 on the first claim; counts claims. */
  attempt: number;
  /** The registry service id, or null for a plain job. */
  service: string | null;
  payload: Record<string, unknown>;
  constraints: AssignedJob['constraints'];
  /** Aborted when the job is canceled, its lease is lost, or on forced shutdown. */
  signal: AbortSignal;
  /**
   * Reports progress (0–100, an optional short message) to the coordinator, which streams it to
   * the job's watchers and extends the lease. Throttled (the latest report wins); failures are
   * ignored, except LEASE_LOST, which aborts `signal` and rejects.
   */
  progress(percent: number, message?: string): Promise<void>;
}

export interface ExecutorOutput {
  /** Any JSON value. */
  result: unknown;
  metrics?: JobMetrics;
}

/** Runs one job. Resolve with the result; throw `JobError` to fail it with a code. */
export type Executor = (job: RunningJob) => Promise<ExecutorOutput>;

/**
 * Thrown by an executor to fail the job with a code; `retryable` requeues it if attempts remain.
 * Any other thrown value fails the job non-retryably with code `EXECUTOR_ERROR`.
 */
export class JobError extends Error {
  override readonly name = 'JobError';
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options?: { retryable?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}
