import type { ServiceContext } from '../services/context.js';

/** Idempotency keys are kept at least 24 h (contract §3); a day more absorbs clock skew. */
const IDEMPOTENCY_RETENTION_MS = 48 * 3600 * 1000;

/** QUEUED jobs past `expires_at` become EXPIRED: a background sweep, not only on read. */
export async function sweepExpired(ctx: ServiceContext): Promise<{ expired: number }> {
  const now = ctx.clock.now();
  const expired = await ctx.db.query(
    `update jobs set state = 'EXPIRED', completed_at = $1
     where id in (
       select id from jobs where state = 'QUEUED' and expires_at <= $1
       order by expires_at limit 1000 for update skip locked
     )`,
    [now],
  );
  await ctx.db.query('delete from idempotency_keys where created_at < $1', [
    new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS),
  ]);
  return { expired: expired.rowCount ?? 0 };
}
