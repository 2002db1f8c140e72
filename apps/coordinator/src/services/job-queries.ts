import { AppError, isTerminal, type JobState, type Receipt } from '@aitbc/contracts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { JobEntity, type JobRow, ReceiptEntity } from '../db/entities/index.js';
import type { ServiceContext } from './context.js';
import { decodeCursor, encodeCursor } from './ids.js';
import { toJobView } from './job-views.js';

const em = (ctx: ServiceContext): EntityManager =>
  ctx.db.orm.em.fork({ clear: true }) as EntityManager;

/** A job of this client, or 404: another client's job is indistinguishable from a missing one. */
export async function findOwnJob(
  ctx: ServiceContext,
  clientId: string,
  jobId: string,
): Promise<JobRow> {
  const job = await em(ctx).findOne(
    JobEntity,
    { id: jobId, clientId },
    { disableIdentityMap: true },
  );
  if (!job) throw new AppError('NOT_FOUND', `job ${jobId} not found`);
  return job;
}

export async function getJob(ctx: ServiceContext, clientId: string, jobId: string) {
  return toJobView(await findOwnJob(ctx, clientId, jobId));
}

export interface JobFilter {
  clientId?: string;
  minerId?: string;
  state?: JobState;
  limit: number;
  cursor?: string;
}

/** Newest first. Ids are UUIDv7, so id order is creation order and the cursor is the last id. */
export async function listJobs(ctx: ServiceContext, f: JobFilter) {
  const after = decodeCursor(f.cursor);
  const where: Record<string, unknown> = {};
  if (f.clientId !== undefined) where.clientId = f.clientId;
  if (f.minerId !== undefined) where.assignedMinerId = f.minerId;
  if (f.state !== undefined) where.state = f.state;
  if (after !== null) where.id = { $lt: after };
  const rows = await em(ctx).find(JobEntity, where, {
    orderBy: { id: 'desc' },
    limit: f.limit + 1,
    disableIdentityMap: true,
  });
  const items = rows.slice(0, f.limit);
  const last = items.at(-1);
  return { rows: items, next_cursor: rows.length > f.limit && last ? encodeCursor(last.id) : null };
}

export async function listOwnJobs(
  ctx: ServiceContext,
  clientId: string,
  q: Omit<JobFilter, 'clientId' | 'minerId'>,
) {
  const { rows, next_cursor } = await listJobs(ctx, { ...q, clientId });
  return { items: rows.map(toJobView), next_cursor };
}

export async function getJobResult(ctx: ServiceContext, clientId: string, jobId: string) {
  const job = await findOwnJob(ctx, clientId, jobId);
  if (!isTerminal(job.state)) {
    throw new AppError(
      'JOB_NOT_READY',
      `job ${jobId} is ${job.state}; its result is available once it is terminal`,
    );
  }
  const receipt = job.state === 'COMPLETED' ? await latestReceipt(ctx, jobId) : null;
  return {
    job_id: job.id,
    state: job.state,
    result: (job.result ?? null) as never,
    error: job.errorCode ? { code: job.errorCode, message: job.errorMessage ?? '' } : null,
    receipt,
  };
}

async function latestReceipt(ctx: ServiceContext, jobId: string): Promise<Receipt | null> {
  const rows = await em(ctx).find(
    ReceiptEntity,
    { jobId },
    { orderBy: { id: 'desc' }, limit: 1, disableIdentityMap: true },
  );
  return (rows[0]?.body as Receipt | undefined) ?? null;
}

export async function getJobReceipt(
  ctx: ServiceContext,
  clientId: string,
  jobId: string,
): Promise<Receipt> {
  await findOwnJob(ctx, clientId, jobId);
  const receipt = await latestReceipt(ctx, jobId);
  if (!receipt) throw new AppError('NOT_FOUND', `job ${jobId} has no receipt yet`);
  return receipt;
}

/** Oldest first. */
export async function listJobReceipts(
  ctx: ServiceContext,
  clientId: string,
  jobId: string,
  limit: number,
  cursor?: string,
) {
  await findOwnJob(ctx, clientId, jobId);
  const after = decodeCursor(cursor);
  const rows = await em(ctx).find(
    ReceiptEntity,
    after === null ? { jobId } : { jobId, id: { $gt: after } },
    { orderBy: { id: 'asc' }, limit: limit + 1, disableIdentityMap: true },
  );
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((r) => r.body as Receipt),
    next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null,
  };
}
