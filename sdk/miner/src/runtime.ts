import type { MinerEvent, MinerLogger, MinerStep } from './events.js';
import type { Executor } from './executor.js';
import type { MinerApi } from './miner-api.js';

/** What the loops and the job runner share with the miner that owns them. */
export interface Runtime {
  readonly api: MinerApi;
  readonly executors: Readonly<Record<string, Executor>>;
  readonly concurrency: number;
  readonly pollWaitSeconds: number;
  readonly log: MinerLogger;
  emit(event: MinerEvent): void;
  /** 401/403: stop everything, reporting `error` as fatal. */
  fatal(step: MinerStep, error: unknown): void;
  /**
   * Register again after the coordinator forgot this miner or saw it OFFLINE: the leases of the
   * jobs it holds are gone, so their signals abort. Deduplicated when both loops ask at once.
   */
  reregister(): Promise<void>;
  /** Every answered call is a sign of life; leases last `lease_seconds` from the last one. */
  noteSignOfLife(): void;
  readonly lastSignOfLifeAt: number;
  readonly heartbeatIntervalMs: number;
  readonly leaseMs: number;
  /** True once `stop()` began: no re-register, no new jobs. */
  readonly draining: boolean;
}
