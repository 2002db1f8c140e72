import { Backoff, sleep } from './backoff.js';
import {
  DEFAULT_DRAIN_GRACE_MS,
  DEFAULT_POLL_WAIT_SECONDS,
  SHORT_CALL_TIMEOUT_MS,
} from './constants.js';
import { dispatchLoop } from './dispatch.js';
import { type MinerEvent, type MinerLogger, type MinerStep, silentLogger } from './events.js';
import type { Executor } from './executor.js';
import { heartbeatLoop } from './loops.js';
import { classifyFailure, type MinerApi, type Registration } from './miner-api.js';
import { RunningJobs } from './running-jobs.js';
import type { Runtime } from './runtime.js';
import { handleSignals } from './signals.js';
import { createTrpcMinerApi } from './trpc-api.js';
import type { MinerCapabilities } from './wire-types.js';

export interface MinerOptions {
  /** The coordinator's origin, e.g. `http://127.0.0.1:8011`. */
  baseUrl: string;
  /** A miner key; with `signing` it is the HMAC secret and never sent (contract §8a). */
  apiKey: string;
  signing?: { keyId: string };
  /** `services` defaults to the executors' keys other than `'*'`. */
  capabilities: MinerCapabilities;
  /** Jobs run at once, 1..256. */
  concurrency: number;
  region?: string;
  /** Keyed by registry service id; `'*'` runs jobs without a service. */
  executors: Record<string, Executor>;
  /** Long-poll wait in seconds (the coordinator caps it), default 15. */
  pollWaitSeconds?: number;
  logger?: MinerLogger;
  onEvent?(event: MinerEvent): void;
  /** Replaces the tRPC transport (tests, or calls through another channel). */
  api?: MinerApi;
}

export interface Miner {
  /**
   * Registers, then starts heartbeats and takes jobs from the push channel, or long-polls where
   * the coordinator has none (see PROTOCOL.md). Rejects on 401/403 or bad input.
   */
  start(): Promise<Registration>;
  /** Drains: no new jobs, in-flight ones get `graceMs` (default 30 s), the rest requeue. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** First SIGTERM/SIGINT drains and exits 0; a second one forces. */
  handleSignals(): void;
  /** Jobs whose executor is running now. */
  inflight(): number;
}

export function createMiner(options: MinerOptions): Miner {
  const runtime = new MinerRuntime(validate(options));
  return {
    start: () => runtime.start(),
    stop: (stopOptions) => runtime.stop(stopOptions?.graceMs ?? DEFAULT_DRAIN_GRACE_MS),
    handleSignals: () => handleSignals(runtime),
    inflight: () => runtime.jobs.size,
  };
}

function validate(options: MinerOptions): MinerOptions {
  const { concurrency, executors } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new RangeError(`concurrency must be an integer in 1..256, got ${concurrency}`);
  }
  if (Object.keys(executors).length === 0) throw new RangeError('at least one executor is needed');
  const wait = options.pollWaitSeconds;
  if (wait !== undefined && !(wait >= 0 && wait <= 3600)) {
    throw new RangeError(`pollWaitSeconds must be in 0..3600, got ${wait}`);
  }
  return options;
}

const SHORT_CALL = { timeoutMs: SHORT_CALL_TIMEOUT_MS };

/** The state of one miner; the loops and the job runner see it as a `Runtime`. */
export class MinerRuntime implements Runtime {
  readonly api: MinerApi;
  readonly executors: Readonly<Record<string, Executor>>;
  readonly concurrency: number;
  readonly pollWaitSeconds: number;
  readonly log: MinerLogger;
  readonly jobs: RunningJobs;
  registration: Registration | null = null;
  lastSignOfLifeAt = 0;
  draining = false;
  private readonly pollStop = new AbortController();
  private readonly heartbeatStop = new AbortController();
  private loops: Promise<unknown> | null = null;
  private registering: Promise<Registration> | null = null;
  private stopping: Promise<void> | null = null;
  private failed = false;

  constructor(private readonly options: MinerOptions) {
    this.api = options.api ?? createTrpcMinerApi(options);
    this.executors = options.executors;
    this.concurrency = options.concurrency;
    this.pollWaitSeconds = options.pollWaitSeconds ?? DEFAULT_POLL_WAIT_SECONDS;
    this.log = options.logger ?? silentLogger;
    this.jobs = new RunningJobs(this);
  }

  get heartbeatIntervalMs(): number {
    return this.registered().heartbeat_interval_seconds * 1000;
  }

  get leaseMs(): number {
    return this.registered().lease_seconds * 1000;
  }

  /** The loops start only after register answered, so this never throws while they run. */
  private registered(): Registration {
    if (!this.registration) throw new Error('the miner has not registered yet');
    return this.registration;
  }

  emit(event: MinerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      // A throwing listener must not break the loop that emitted the event.
      this.log.error('onEvent threw', { event: event.type, error: String(error) });
    }
  }

  noteSignOfLife(): void {
    this.lastSignOfLifeAt = Date.now();
  }

  async start(): Promise<Registration> {
    if (this.loops) throw new Error('this miner was already started');
    const registration = await this.registerUntilAnswered();
    this.loops = Promise.all([
      heartbeatLoop(this, this.jobs, this.heartbeatStop.signal),
      dispatchLoop(this, this.jobs, this.pollStop.signal),
    ]);
    return registration;
  }

  /** Register at start: transient failures are retried (with backoff), refusals are thrown. */
  private async registerUntilAnswered(): Promise<Registration> {
    const backoff = new Backoff();
    for (;;) {
      try {
        return await this.register();
      } catch (error) {
        const kind = classifyFailure(error);
        const retryInMs = kind === 'transient' && !this.draining ? backoff.next() : null;
        this.emit({ type: 'error', step: 'register', error, fatal: retryInMs === null, retryInMs });
        if (retryInMs === null) throw error;
        await sleep(retryInMs);
      }
    }
  }

  private async register(): Promise<Registration> {
    const { capabilities, concurrency, region, executors } = this.options;
    const services = capabilities.services ?? Object.keys(executors).filter((k) => k !== '*');
    const registration = await this.api.register(
      { capabilities: { ...capabilities, services }, concurrency, ...(region ? { region } : {}) },
      SHORT_CALL,
    );
    this.registration = registration;
    this.noteSignOfLife();
    this.emit({ type: 'registered', registration });
    this.log.info('registered', { ...registration });
    return registration;
  }

  reregister(): Promise<void> {
    this.jobs.interruptAll('lease_lost');
    this.registering ??= this.register().finally(() => {
      this.registering = null;
    });
    return this.registering.then(() => undefined);
  }

  fatal(step: MinerStep, error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.emit({ type: 'error', step, error, fatal: true, retryInMs: null });
    this.log.error(`${step}: the coordinator refused this miner's key; stopping`, {
      error: String(error),
    });
    this.draining = true;
    this.pollStop.abort();
    this.heartbeatStop.abort();
    this.jobs.interruptAll('abandoned');
    this.stopping ??= this.finish('fatal');
  }

  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.drain(graceMs);
    return this.stopping;
  }

  /** Abort what is still running now (the second signal): it is failed retryably at once. */
  force(): void {
    this.jobs.interruptAll('shutdown');
  }

  private async drain(graceMs: number): Promise<void> {
    // The grace period counts from now. A timer of our own rather than AbortSignal.timeout, so
    // that fake timers drive it in tests.
    const grace = new AbortController();
    const timer = setTimeout(() => grace.abort(), graceMs);
    this.draining = true;
    this.emit({ type: 'draining', inflight: this.jobs.size });
    this.pollStop.abort();
    if (this.registration) {
      await this.api.drain(SHORT_CALL).catch((error) => {
        this.emit({ type: 'error', step: 'drain', error, fatal: false, retryInMs: null });
      });
    }
    await this.jobs.waitAllReported(grace.signal);
    clearTimeout(timer);
    this.force();
    await this.jobs.waitAllReported();
    this.heartbeatStop.abort();
    await this.finish('stop');
  }

  private async finish(reason: 'stop' | 'fatal'): Promise<void> {
    await this.loops;
    this.emit({ type: 'stopped', reason });
    this.log.info('stopped', { reason });
  }
}
