/**
 * The one error vocabulary of the API. Services throw `AppError`; the HTTP/tRPC layer maps the
 * code to a status with `APP_ERROR_STATUS` and never invents codes of its own.
 */
export type AppErrorCode =
  /** The body or query failed schema validation; `issues` lists each field. */
  | 'VALIDATION_FAILED'
  /** The body is not JSON, or nests deeper than the limit. */
  | 'MALFORMED_REQUEST'
  /** No API key, or a key the coordinator does not know. */
  | 'UNAUTHENTICATED'
  /** A signed request (§8a) whose X-Timestamp is more than 300 s from the server's clock. */
  | 'SIGNATURE_EXPIRED'
  /** A signed request whose nonce was already used within the signature window. */
  | 'SIGNATURE_REPLAYED'
  /** A signed request with a wrong signature, an unknown key id, or a body changed in transit. */
  | 'SIGNATURE_INVALID'
  /** A known key whose role may not call this route. */
  | 'FORBIDDEN'
  /** Unknown id, or a resource of another principal (existence is never leaked). */
  | 'NOT_FOUND'
  /** A known path called with the wrong HTTP method. */
  | 'METHOD_NOT_ALLOWED'
  /** A body that is not `application/json`. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** Cancel (or another change) of a job that is already terminal. */
  | 'JOB_TERMINAL'
  /** The result of a job that is not terminal yet. */
  | 'JOB_NOT_READY'
  /** A miner result/fail/progress whose lease is not the job's current lease. */
  | 'LEASE_LOST'
  /** The miner has not registered (or is unknown) yet. */
  | 'MINER_NOT_REGISTERED'
  /** Same Idempotency-Key with a different body. */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** Body over MAX_BODY_BYTES, or a payload/result over its limit. */
  | 'PAYLOAD_TOO_LARGE'
  /** Request rate over budget. */
  | 'RATE_LIMITED'
  /** Too many queued jobs for this client. */
  | 'QUEUE_LIMIT'
  /** A dependency (the database) is not ready. */
  | 'NOT_READY'
  /** A bug: never for anything a caller sent. */
  | 'INTERNAL';

export const APP_ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  SIGNATURE_EXPIRED: 401,
  SIGNATURE_REPLAYED: 401,
  SIGNATURE_INVALID: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNSUPPORTED_MEDIA_TYPE: 415,
  JOB_TERMINAL: 409,
  JOB_NOT_READY: 409,
  LEASE_LOST: 409,
  MINER_NOT_REGISTERED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  QUEUE_LIMIT: 429,
  NOT_READY: 503,
  INTERNAL: 500,
} as const satisfies Record<AppErrorCode, number>;

export const APP_ERROR_CODES = Object.keys(APP_ERROR_STATUS) as AppErrorCode[];

/** One offending field: `path` is dotted (`constraints.min_vram_gb`, `models.0`). */
export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

const pathOf = (path: PropertyKey[]) => path.map(String).join('.') || '(root)';

/** A zod failure as the API reports it: one issue per field, an unknown key at its own path. */
export function zodIssues(error: { issues: readonly ZodIssueLike[] }): FieldIssue[] {
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys' && i.keys
      ? i.keys.map((key) => ({ path: pathOf([...i.path, key]), message: 'unknown field' }))
      : [{ path: pathOf(i.path), message: i.message }],
  );
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}
