import { AppError, type Receipt } from '@aitbc/contracts';
import { canonicalSha256, RECEIPT_VERSION, signReceipt } from '@aitbc/receipts';
import { getService } from '@aitbc/registry';
import type { ServiceContext } from './context.js';
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
  const receipt = buildReceipt(ctx, row, minerId, input, resultSha256, now);
  const { rows } = await ctx.db.query<{ event_id: string }>(
    `with done as (
       update jobs set state = 'COMPLETED', completed_at = $4, result = $5::jsonb
       where id = $1 and state = 'RUNNING' and lease_id = $2 and assigned_miner_id = $3
         and lease_expires_at > $4
       returning id, client_id, attempt
     ), a as (
       update job_attempts set ended_at = $4, outcome = 'COMPLETED'
       where lease_id = $2 and exists (select 1 from done)
     ), m as (
       update miners set inflight = inflight - 1, jobs_completed = jobs_completed + 1
       where id = $3 and exists (select 1 from done)
     ), r as (
       insert into receipts (id, job_id, lease_id, client_id, miner_id, body, issued_at)
       select $6, done.id, $2, done.client_id, $3, $7::jsonb, $4 from done
     ), ev as (
       insert into job_events (job_id, type, state, at, attempt, miner_id, receipt_id)
       select done.id, 'completed', 'COMPLETED', $4, done.attempt, $3, $6 from done
       returning id
     )
     select id::text as event_id from ev`,
    [
      row.id,
      input.lease_id,
      minerId,
      now,
      JSON.stringify(input.result),
      receipt.receipt_id,
      JSON.stringify(receipt),
    ],
  );
  const written = rows[0];
  if (!written) {
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
      event_id: written.event_id,
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
): Receipt {
  const { units, unit_type, price, ...rest } = input.metrics ?? {};
  const startedAt = row.started_at ?? now;
  const runSeconds = Math.max(0, (now.getTime() - startedAt.getTime()) / 1000);
  const metadata = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return signReceipt(
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
  ) as Receipt;
}
