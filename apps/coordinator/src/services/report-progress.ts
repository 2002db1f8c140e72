import { addSeconds } from './clock.js';
import type { ServiceContext } from './context.js';
import { leaseLost, loadLeasedJob, requireLease } from './lease-check.js';

export interface ProgressInput {
  job_id: string;
  lease_id: string;
  progress: number;
  message?: string | undefined;
}

/** At most one progress event per job per window: two per second (contract §7a). */
export const PROGRESS_WINDOW_MS = 500;

/**
 * One statement, fenced like a result (RUNNING, this lease, this miner, lease not yet expired):
 * it extends the job's lease (a report is a sign of life) and, when `$8`, writes the progress
 * event. Throttled reports run it without the event, so a lost lease is still answered 409.
 */
const PROGRESS_SQL = `
with j as (
  update jobs set lease_expires_at = greatest(lease_expires_at, $5)
  where id = $1 and state = 'RUNNING' and lease_id = $2 and assigned_miner_id = $3
    and lease_expires_at > $4
  returning id, attempt
), ev as (
  insert into job_events (job_id, type, state, at, attempt, miner_id, progress, message)
  select id, 'progress', 'RUNNING', $4, attempt, $3, $6, $7 from j where $8
  returning id
)
select j.attempt, (select id::text from ev) as event_id from j`;

interface Window {
  /** The latest report that arrived inside the window, written when it ends. */
  pending: { minerId: string; input: ProgressInput } | null;
  timer: NodeJS.Timeout;
}

/**
 * Per-job throttle of progress events: the first report of a window is written at once, later
 * ones in the same window only replace the pending one, which is written when the window ends
 * (trailing edge): a chatty miner makes at most two events a second, and its last value is
 * always delivered. Windows live in this process; with several instances a job's reports are
 * throttled per instance.
 */
export class ProgressThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly write: (minerId: string, input: ProgressInput) => Promise<void>) {}

  /** True when the report should be written now; false when it was kept for the window's end. */
  admit(minerId: string, input: ProgressInput): boolean {
    const open = this.windows.get(input.job_id);
    if (open) {
      open.pending = { minerId, input };
      return false;
    }
    this.openWindow(input.job_id);
    return true;
  }

  private openWindow(jobId: string): void {
    const timer = setTimeout(() => this.endWindow(jobId), PROGRESS_WINDOW_MS);
    timer.unref();
    this.windows.set(jobId, { pending: null, timer });
  }

  private endWindow(jobId: string): void {
    const window = this.windows.get(jobId);
    this.windows.delete(jobId);
    if (!window?.pending) return;
    const { minerId, input } = window.pending;
    this.openWindow(jobId); // the trailing write starts the next window
    void this.write(minerId, input);
  }

  close(): void {
    for (const w of this.windows.values()) clearTimeout(w.timer);
    this.windows.clear();
  }
}

/**
 * A miner's progress report under its lease: 409 LEASE_LOST exactly when a result would get it,
 * the lease extended, and a `progress` event (throttled by ProgressThrottle).
 */
export async function reportProgress(
  ctx: ServiceContext,
  minerId: string,
  input: ProgressInput,
): Promise<void> {
  const emit = ctx.progress.admit(minerId, input);
  const written = await writeProgress(ctx, minerId, input, emit);
  if (written) return;
  const job = await loadLeasedJob(ctx, input.job_id); // NOT_FOUND for an unknown job
  await requireLease(ctx, job, { type: 'result', leaseId: input.lease_id, minerId });
  throw await leaseLost(ctx, job.id, input.lease_id, minerId); // a race lost since the guard
}

/** Runs PROGRESS_SQL and publishes the event it wrote; false when the fence said no. */
export async function writeProgress(
  ctx: ServiceContext,
  minerId: string,
  input: ProgressInput,
  emit: boolean,
): Promise<boolean> {
  const now = ctx.clock.now();
  const { rows } = await ctx.db.query<{ attempt: number; event_id: string | null }>(PROGRESS_SQL, [
    input.job_id,
    input.lease_id,
    minerId,
    now,
    addSeconds(now, ctx.config.heartbeatTimeoutSeconds),
    input.progress,
    input.message ?? null,
    emit,
  ]);
  const row = rows[0];
  if (!row) return false;
  if (row.event_id !== null) {
    ctx.events.publish([
      {
        event_id: row.event_id,
        job_id: input.job_id,
        type: 'progress',
        state: 'RUNNING',
        at: now.toISOString(),
        attempt: row.attempt,
        miner_id: minerId,
        progress: input.progress,
        ...(input.message !== undefined ? { message: input.message } : {}),
      },
    ]);
  }
  return true;
}

/** The write at a throttle window's end; a lease lost meanwhile just drops the report. */
export async function writeTrailingProgress(
  ctx: ServiceContext,
  minerId: string,
  input: ProgressInput,
): Promise<void> {
  await writeProgress(ctx, minerId, input, true).catch((err: unknown) => {
    ctx.log.error({ err, job_id: input.job_id }, 'progress report could not be written');
  });
}
