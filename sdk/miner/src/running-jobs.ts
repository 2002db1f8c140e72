import type { RunningJob } from './executor.js';
import { execute, type Interruption, type Outcome } from './job-outcome.js';
import { reportOutcome } from './job-report.js';
import { progressReporter } from './progress.js';
import type { Runtime } from './runtime.js';
import type { AssignedJob } from './wire-types.js';

interface Entry {
  job: AssignedJob;
  controller: AbortController;
  interruption: Interruption | null;
  interrupt: (reason: Interruption) => void;
  interrupted: Promise<Outcome>;
  reported: boolean;
}

/**
 * The jobs this miner holds. A job keeps its slot until its executor has really returned (even
 * after a cancel was acknowledged, the hardware is still busy), so local concurrency is never
 * exceeded; `unreported()` counts the jobs whose outcome the coordinator has not been told yet.
 */
export class RunningJobs {
  private readonly entries = new Map<string, Entry>();
  /** Pushed jobs that arrived while every slot was busy: started as slots free up. */
  private backlog: AssignedJob[] = [];
  private changed: (() => void)[] = [];

  constructor(private readonly rt: Runtime) {}

  /** Jobs whose executor is still running (slots in use). */
  get size(): number {
    return this.entries.size;
  }

  unreported(): number {
    let n = this.backlog.length;
    for (const e of this.entries.values()) if (!e.reported) n++;
    return n;
  }

  /** Resolves once a slot is free, or when `signal` aborts. */
  async waitForFreeSlot(signal: AbortSignal): Promise<void> {
    while (this.entries.size >= this.rt.concurrency && !signal.aborted) {
      await this.nextChange(signal);
    }
  }

  /** Resolves once every held job has been reported on, or when `signal` aborts. */
  async waitAllReported(signal?: AbortSignal): Promise<void> {
    while (this.unreported() > 0 && !signal?.aborted) await this.nextChange(signal);
  }

  start(job: AssignedJob): void {
    const entry = newEntry(job);
    this.entries.set(job.job_id, entry);
    void this.run(entry);
  }

  /**
   * A pushed job: started now if a slot is free, else when one frees up (the coordinator frees
   * a canceled job's slot at once, while its executor may still be winding down here). A job
   * pushed again (the same id) is ignored.
   */
  offer(job: AssignedJob): void {
    if (this.entries.has(job.job_id) || this.backlog.some((j) => j.job_id === job.job_id)) return;
    if (this.entries.size < this.rt.concurrency) this.start(job);
    else this.backlog.push(job);
  }

  /** Aborts the signals of these jobs (ids this miner does not hold are ignored). */
  interrupt(jobIds: Iterable<string>, reason: Interruption): void {
    for (const id of jobIds) {
      const entry = this.entries.get(id);
      if (entry && !entry.reported) entry.interrupt(reason);
      const waiting = this.backlog.find((j) => j.job_id === id);
      if (waiting) {
        this.backlog = this.backlog.filter((j) => j !== waiting);
        void reportOutcome(this.rt, waiting, { kind: 'interrupted', reason }, Date.now()).then(() =>
          this.notify(),
        );
      }
    }
  }

  interruptAll(reason: Interruption): void {
    this.interrupt([...this.entries.keys(), ...this.backlog.map((j) => j.job_id)], reason);
  }

  private async run(entry: Entry): Promise<void> {
    const { job } = entry;
    const startedAt = Date.now();
    this.rt.emit({
      type: 'job_started',
      jobId: job.job_id,
      leaseId: job.lease_id,
      attempt: job.attempt,
      service: job.service,
    });
    const progress = progressReporter(
      this.rt,
      job,
      () => entry.reported || entry.interruption !== null,
      () => entry.interrupt('lease_lost'),
    );
    const executed = execute(
      this.rt.executors,
      toRunningJob(job, entry.controller.signal, progress),
    );
    // An interruption is reported at once; the executor may take a while to notice its signal.
    const outcome = await Promise.race([executed, entry.interrupted]);
    await reportOutcome(this.rt, job, outcome, startedAt);
    entry.reported = true;
    this.notify();
    await executed;
    this.entries.delete(job.job_id);
    const next = this.backlog.shift();
    if (next) this.start(next);
    this.notify();
  }

  private nextChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.changed.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private notify(): void {
    const waiters = this.changed;
    this.changed = [];
    for (const wake of waiters) wake();
  }
}

function newEntry(job: AssignedJob): Entry {
  const controller = new AbortController();
  let resolveInterrupted: (outcome: Outcome) => void = () => {};
  const entry: Entry = {
    job,
    controller,
    interruption: null,
    interrupted: new Promise((resolve) => {
      resolveInterrupted = resolve;
    }),
    reported: false,
    interrupt(reason) {
      if (entry.interruption) return;
      entry.interruption = reason;
      // Settle the race before the executor can react to the abort, so the interruption wins.
      resolveInterrupted({ kind: 'interrupted', reason });
      controller.abort(new Error(`job ${reason.replace('_', ' ')}`));
    },
  };
  return entry;
}

function toRunningJob(
  job: AssignedJob,
  signal: AbortSignal,
  progress: RunningJob['progress'],
): RunningJob {
  return {
    jobId: job.job_id,
    leaseId: job.lease_id,
    attempt: job.attempt,
    service: job.service,
    payload: job.payload,
    constraints: job.constraints,
    signal,
    progress,
  };
}
