import type {
  CallOptions,
  FailInput,
  HeartbeatAnswer,
  MinerApi,
  RegisterInput,
  Registration,
  ResultInput,
} from '../src/miner-api.js';
import type { AssignedJob, Receipt } from '../src/wire-types.js';

/** An error as the transport throws it: the coordinator's `code` and the HTTP `status`. */
export class FakeApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
  ) {
    super(`${status} ${code}`);
  }
}

export const networkError = () => new FakeApiError('NETWORK_ERROR', 0);
export const leaseLost = () => new FakeApiError('LEASE_LOST', 409);

type Method = keyof MinerApi;

export interface Call {
  method: Method;
  input: unknown;
  at: number;
}

/**
 * An in-memory coordinator for the miner runtime's unit tests: it hands out the jobs queued with
 * `queue()`, long-polls on the (fake) clock, fences results of leases marked lost, and throws the
 * errors queued with `failNext()`. Every call is recorded with the time it was made.
 */
export class FakeMinerApi implements MinerApi {
  readonly calls: Call[] = [];
  registration: Registration = { miner_id: 'm1', heartbeat_interval_seconds: 5, lease_seconds: 15 };
  status: HeartbeatAnswer['status'] = 'ONLINE';
  readonly cancelJobIds = new Set<string>();
  readonly lostLeases = new Set<string>();
  openPolls = 0;
  maxOpenPolls = 0;
  private readonly jobs: AssignedJob[] = [];
  private readonly errors = new Map<Method, unknown[]>();
  private wakePoll: (() => void) | null = null;
  private seq = 0;

  queue(...jobs: Partial<AssignedJob>[]): AssignedJob[] {
    const made = jobs.map((j) => makeJob({ job_id: `job-${++this.seq}`, ...j }));
    this.jobs.push(...made);
    this.wakePoll?.();
    return made;
  }

  /** The next calls of `method` throw these errors, one per call. */
  failNext(method: Method, ...errors: unknown[]): void {
    this.errors.set(method, [...(this.errors.get(method) ?? []), ...errors]);
  }

  callsOf(method: Method): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  async register(input: RegisterInput, _o: CallOptions): Promise<Registration> {
    this.record('register', input);
    this.status = 'ONLINE';
    return this.registration;
  }

  async heartbeat(input: { inflight: number }, _o: CallOptions): Promise<HeartbeatAnswer> {
    this.record('heartbeat', input);
    return { status: this.status, cancel_job_ids: [...this.cancelJobIds] };
  }

  async poll(input: { max_wait_seconds: number }, o: CallOptions): Promise<AssignedJob | null> {
    this.record('poll', input);
    this.openPolls++;
    this.maxOpenPolls = Math.max(this.maxOpenPolls, this.openPolls);
    try {
      if (this.jobs.length === 0) await this.waitForJob(input.max_wait_seconds * 1000, o.signal);
      o.signal?.throwIfAborted();
      return this.jobs.shift() ?? null;
    } finally {
      this.openPolls--;
    }
  }

  async result(input: ResultInput, _o: CallOptions): Promise<{ receipt: Receipt }> {
    this.record('result', input);
    if (this.lostLeases.has(input.lease_id)) throw leaseLost();
    return { receipt: { receipt_id: `r-${input.job_id}`, job_id: input.job_id } as Receipt };
  }

  async fail(input: FailInput, _o: CallOptions): Promise<{ job_state: string }> {
    this.record('fail', input);
    if (this.lostLeases.has(input.lease_id) || this.cancelJobIds.delete(input.job_id)) {
      throw leaseLost();
    }
    return { job_state: input.retryable ? 'QUEUED' : 'FAILED' };
  }

  async drain(_o: CallOptions): Promise<{ inflight: number }> {
    this.record('drain', {});
    this.status = 'DRAINING';
    return { inflight: 0 };
  }

  private record(method: Method, input: unknown): void {
    this.calls.push({ method, input, at: Date.now() });
    const error = this.errors.get(method)?.shift();
    if (error !== undefined) throw error;
  }

  private waitForJob(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wakePoll = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wakePoll = done;
    });
  }
}

export function makeJob(job: Partial<AssignedJob> & { job_id: string }): AssignedJob {
  return {
    lease_id: `lease-${job.job_id}`,
    attempt: 1,
    lease_expires_at: new Date(Date.now() + 15_000).toISOString(),
    service: null,
    payload: {},
    constraints: {},
    ...job,
  };
}

/** A promise with its resolve/reject, for executors that finish when the test says so. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
