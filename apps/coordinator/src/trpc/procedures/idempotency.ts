import { AppError, LIMITS } from '@aitbc/contracts';
import { z } from 'zod';
import type { RequestContext } from '../context.js';

/** The `Idempotency-Key` request header, as the OpenAPI document describes it. */
export const IdempotencyKeyHeader = z.object({
  'Idempotency-Key': z.string().max(LIMITS.idempotencyKeyMaxLength).optional(),
});

/** The caller's Idempotency-Key, or null; 400 when it is empty or too long. */
export function idempotencyKeyOf(ctx: RequestContext): string | null {
  const key = ctx.header('idempotency-key') ?? null;
  if (key !== null && (key.length === 0 || key.length > LIMITS.idempotencyKeyMaxLength)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 characters', [
      { path: 'Idempotency-Key', message: 'must be 1-255 characters' },
    ]);
  }
  return key;
}

/** Marks an answer that an Idempotency-Key replayed. */
export function markReplay(ctx: RequestContext, replayed: boolean): void {
  if (replayed) ctx.response.headers['Idempotent-Replayed'] = 'true';
}
