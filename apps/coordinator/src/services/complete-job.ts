import { AppError, type Receipt } from '@aitbc/contracts';
import { RECEIPT_VERSION, signReceiptAsync } from '@aitbc/receipts';
import { canonicalSha256 } from '@aitbc/receipts/node';
import { getService } from '@aitbc/registry';
import type { ServiceContext } from './context.js';
import { GroupCommit } from './group-commit.js';
import { uuidv7 } from './ids.js';
import type { LeaseFacts } from './lease-book.js';
import { type LeasedJobRow, leaseLost, loadLeasedJob, requireLease } from './lease-check.js';

export interface ResultInput {
  job_id: string;
  lease_id: string;
  result: unknown;
  metrics?: Record<string, string | number | boolean | undefined> | undefined;
}

/**
 * RUNNING → COMPLETED under the caller's lease, with the signed receipt written by the same
 * statement: either both exist or neither does. Repeating an accepted result with the same lease
 * returns the stored receipt; any other stale lease gets LEASE_LOST and changes nothing.
 *
 * A lease this instance handed out is in the LeaseBook: its result goes straight to the
 * conditional write (whose guard decides). Anything else reads the job first, to tell a repeat
 * from a lost lease.
 */
export async function completeJob(
  ctx: ServiceContext,
  minerId: string,
  input: ResultInput,
): Promise<Receipt> {
  const resultSha256 = canonicalSha256(input.result);
  let row: LeaseFacts | null = ctx.leases.take(input.lease_id, input.job_id, minerId);
  if (!row) {
    const job = await loadLeasedJob(ctx, input.job_id);
    const replay = await replayedReceipt(ctx, job, input.lease_id, minerId, resultSha256);
    if (replay) return replay;
    await requireLease(ctx, job, { type: 'result', leaseId: input.lease_id, minerId });
    row = job;
  }

  const now = ctx.clock.now();
  const receipt = await buildReceipt(ctx, row, minerId, input, resultSha256, now);
  const eventId = await ctx.completions.add({
    jobId: row.id,
    leaseId: input.lease_id,
    minerId,
    at: now,
    result: input.result,
    receipt,
  });
  if (eventId === null) {
    // The guard said no: the lease had ended, or a race was lost (cancel, sweep, a concurrent
    // duplicate of this very result). Read the job to tell a repeat from a lost lease.
    const again = await replayedReceipt(
      ctx,
      await loadLeasedJob(ctx, input.job_id),
      input.lease_id,
      minerId,
      resultSha256,
    );
    if (again) return again;
    throw await leaseLost(ctx, row.id, input.lease_id, minerId);
  }
  ctx.events.publish([
    {
      event_id: eventId,
      job_id: row.id,
      type: 'completed',
      state: 'COMPLETED',
      at: now.toISOString(),
      attempt: row.attempt,
      miner_id: minerId,
      receipt_id: receipt.receipt_id,
    },
  ]);
  ctx.signal.slotFreed(minerId);
  await ctx.settlement.onReceipt(receipt).catch((err: unknown) => {
    ctx.log.error({ err, receipt_id: receipt.receipt_id }, 'settlement hook failed');
  });
  return receipt;
}

/** One accepted-looking result, to be written if its lease still holds. */
export interface Completion {
  jobId: string;
  leaseId: string;
  minerId: string;
  at: Date;
  result: unknown;
  receipt: Receipt;
}

/** Most completions written by one statement. */
const MAX_COMPLETION_BATCH = 200;

/**
 * RUNNING → COMPLETED by group commit: one statement and one commit for all results that arrived
 * while the previous write was in flight. Each job's guard (RUNNING, same lease and miner, lease
 * not expired at the result's time) is checked per row; for the rows it passes the statement
 * also ends the attempt, frees the miner's slot, stores the receipt and the `completed` event.
 * Resolves to the event id, or null when the guard said no.
 *
 * A batch locks its jobs' rows in id order, then their miners' rows in id order: jobs before
 * miners is the lock order of every lifecycle statement, and id order within each table is that
 * of the heartbeat rounds (signs-of-life.ts), so batches of several instances and heartbeat
 * rounds cannot deadlock one another. Should a batch fail anyway, its results are written again
 * one by one, so one bad item never fails the others.
 */
export function completionWrites(db: ServiceContext['db']): GroupCommit<Completion, string | null> {
  const write = async (items: Completion[]) => {
    const column = <T>(pick: (c: Completion) => T) => items.map(pick);
    const { rows } = await db.query<{ receipt_id: string; event_id: string }>(COMPLETE_SQL, [
      column((c) => c.jobId),
      column((c) => c.leaseId),
      column((c) => c.minerId),
      column((c) => c.at),
      column((c) => JSON.stringify(c.result)),
      column((c) => c.receipt.receipt_id),
      column((c) => JSON.stringify(c.receipt)),
    ]);
    // By receipt id, not job id: of two results for one job in a batch, one at most is written.
    const events = new Map(rows.map((r) => [r.receipt_id, r.event_id]));
    return items.map((c) => events.get(c.receipt.receipt_id) ?? null);
  };
  return new GroupCommit(async (items) => {
    try {
      return await write(items);
    } catch (err) {
      if (items.length === 1) throw err;
      return Promise.all(items.map((item) => write([item]).then((r) => r[0] ?? null)));
    }
  }, MAX_COMPLETION_BATCH);
}

const COMPLETE_SQL = `
with i as (
  select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[],
    $6::text[], $7::text[]) as i(job_id, lease_id, miner_id, at, result, receipt_id, receipt)
), locked as (
  select id from jobs where id = any($1::text[]) and state = 'RUNNING' order by id for update
), done as (
  update jobs set state = 'COMPLETED', completed_at = i.at, result = i.result::jsonb
  from i
  where jobs.id in (select id from locked) and jobs.id = i.job_id and jobs.state = 'RUNNING'
    and jobs.lease_id = i.lease_id
    and jobs.assigned_miner_id = i.miner_id and jobs.lease_expires_at > i.at
  returning jobs.id, jobs.client_id, jobs.attempt, i.lease_id, i.miner_id, i.at, i.receipt_id,
    i.receipt
), a as (
  update job_attempts set ended_at = done.at, outcome = 'COMPLETED'
  from done where job_attempts.lease_id = done.lease_id
), held as (
  select id from miners where id in (select miner_id from done) order by id for update
), m as (
  update miners set inflight = inflight - d.n, jobs_completed = jobs_completed + d.n
  from (select miner_id, count(*)::int as n from done group by miner_id) d
  where miners.id = d.miner_id and miners.id in (select id from held)
), r as (
  insert into receipts (id, job_id, lease_id, client_id, miner_id, body, issued_at)
  select receipt_id, id, lease_id, client_id, miner_id, receipt::jsonb, at from done
), ev as (
  insert into job_events (job_id, type, state, at, attempt, miner_id, receipt_id)
  select id, 'completed', 'COMPLETED', at, attempt, miner_id, receipt_id from done
  returning receipt_id, id
)
select receipt_id, id::text as event_id from ev`;

/**
 * The receipt of an accepted result, when this is a repeat of it: same lease, same miner, same
 * result. The same lease with a different result is a conflict, not a repeat.
 */
async function replayedReceipt(
  ctx: ServiceContext,
  row: LeasedJobRow,
  leaseId: string,
  minerId: string,
  resultSha256: string,
) {
  if (row.state !== 'COMPLETED' || row.lease_id !== leaseId || row.assigned_miner_id !== minerId)
    return null;
  const { rows } = await ctx.db.query<{ body: Receipt }>(
    'select body from receipts where lease_id = $1',
    [leaseId],
  );
  const receipt = rows[0]?.body;
  if (receipt && receipt.result_sha256 !== resultSha256) {
    throw new AppError('LEASE_LOST', `job ${row.id} was already completed with a different result`);
  }
  return receipt ?? null;
}

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Without a price from the miner, the estimate made at submit, if the service has pricing. */
function estimatedPrice(row: LeaseFacts): number | null {
  const pricing = row.service === null ? undefined : getService(row.service)?.pricing;
  return pricing && pricing.length > 0 ? row.estimated_price : null;
}

function buildReceipt(
  ctx: ServiceContext,
  row: LeaseFacts,
  minerId: string,
  input: ResultInput,
  resultSha256: string,
  now: Date,
): Promise<Receipt> {
  const { units, unit_type, price, ...rest } = input.metrics ?? {};
  const startedAt = row.started_at ?? now;
  const runSeconds = Math.max(0, (now.getTime() - startedAt.getTime()) / 1000);
  const metadata = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  // Signed on node:crypto's thread pool: the event loop serves requests meanwhile.
  return signReceiptAsync(
    {
      version: RECEIPT_VERSION,
      receipt_id: uuidv7(now),
      job_id: row.id,
      attempt: row.attempt,
      service: row.service,
      provider: minerId,
      client: row.client_id,
      units: typeof units === 'number' ? units : Math.round(runSeconds * 1000) / 1000,
      unit_type: typeof unit_type === 'string' ? unit_type : 'gpu_seconds',
      price: typeof price === 'number' ? price : estimatedPrice(row),
      started_at: epochSeconds(startedAt),
      completed_at: epochSeconds(now),
      payload_sha256: row.payload_sha256,
      result_sha256: resultSha256,
      coordinator_id: ctx.config.coordinatorId,
      metadata:
        Object.keys(metadata).length > 0
          ? (metadata as Record<string, string | number | boolean>)
          : null,
    },
    ctx.keys.signer,
    ctx.keys.attesters,
  ) as Promise<Receipt>;
}
