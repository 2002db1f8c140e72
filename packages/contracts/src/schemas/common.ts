import { z } from 'zod';

/** Defaults and caps of the wire contract (§1); the server may lower the caps by config. */
export const LIMITS = {
  listDefault: 20,
  listMax: 100,
  idMaxLength: 64,
  idempotencyKeyMaxLength: 255,
  jsonMaxDepth: 32,
} as const;

/** ISO-8601 with an offset, as every timestamp on the wire. */
export const Timestamp = z.iso
  .datetime({ offset: true })
  .meta({ example: '2026-11-28T06:12:50.123Z' });
export const NullableTimestamp = Timestamp.nullable();

export const Id = z.string().min(1).max(LIMITS.idMaxLength);

/** `limit` arrives as a query string over REST, so it is coerced. */
export const Limit = z.coerce.number().int().min(1).max(LIMITS.listMax).default(LIMITS.listDefault);
export const Cursor = z.string().min(1).max(200);

export const PageQuery = z.strictObject({
  limit: Limit.optional(),
  cursor: Cursor.optional(),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

/** A job's error, or a failure a miner reported. */
export const ErrorInfo = z.object({ code: z.string(), message: z.string() });

/** Every non-2xx body. `issues` is present for validation errors. */
export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** Any JSON object: job payloads. Size and depth are bounded by the body limits. */
export const JsonObject = z.record(z.string(), z.unknown());
/** Any JSON value except null: results. */
export const JsonValue = z.union([
  JsonObject,
  z.array(z.unknown()),
  z.string(),
  z.number(),
  z.boolean(),
]);

export const StatusOk = z.object({ status: z.literal('ok') });
