import { TRPCClientError } from '@trpc/client';

/** One offending input field, as the coordinator reports it (`constraints.min_vram_gb`). */
export interface AitbcIssue {
  path: string;
  message: string;
}

/**
 * Codes the SDK itself raises, next to the server's own (`NOT_FOUND`, `VALIDATION_FAILED`, …:
 * see AppErrorCode in the contract). Their `status` is 0 when no HTTP answer was involved.
 */
export type SdkErrorCode =
  /** The connection failed or dropped before an answer (after the retries). */
  | 'NETWORK_ERROR'
  /** One HTTP request took longer than its `timeoutMs`. */
  | 'REQUEST_TIMEOUT'
  /** `wait()` ran out of time before the job ended. */
  | 'WAIT_TIMEOUT'
  /** A receipt whose signature does not check out against the coordinator's published keys. */
  | 'RECEIPT_INVALID'
  /** A non-JSON error answer (a proxy's 502 page, say): the code is `HTTP_<status>`. */
  | `HTTP_${number}`;

export interface AitbcErrorInit {
  code: string;
  status: number;
  message: string;
  issues?: AitbcIssue[] | undefined;
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
}

/** Every error the SDK throws: the server's machine-readable `code`, the HTTP status, the issues. */
export class AitbcError extends Error {
  override readonly name = 'AitbcError';
  /** The server's code (`error.data.code` of a tRPC answer) or one of SdkErrorCode. */
  readonly code: string;
  /** The HTTP status, or 0 when there was no answer (network error, timeout, client-side check). */
  readonly status: number;
  /** The offending fields of a validation error. */
  readonly issues?: AitbcIssue[];
  /** From `Retry-After` when the server sent one (429, 503). */
  readonly retryAfterSeconds?: number;

  constructor(init: AitbcErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    if (init.issues) this.issues = init.issues;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export function isAitbcError(value: unknown): value is AitbcError {
  return value instanceof AitbcError;
}

interface ServerErrorData {
  code?: unknown;
  httpStatus?: unknown;
  issues?: unknown;
}

/**
 * Any error of a call as an AitbcError: a tRPC error answer keeps the server's `code`, status and
 * issues; an error the transport raised (network, timeout) is returned as it was; anything else
 * becomes NETWORK_ERROR. An AbortError of the caller's own signal is not an AitbcError: callers
 * check `signal.aborted` first (the SDK does) and rethrow the signal's reason.
 */
export function toAitbcError(error: unknown): AitbcError {
  if (error instanceof AitbcError) return error;
  if (error instanceof TRPCClientError) {
    if (error.cause instanceof AitbcError) return error.cause;
    // The per-request timeout can also fire while tRPC reads the answer's body.
    if (isTimeout(error.cause)) {
      return new AitbcError({
        code: 'REQUEST_TIMEOUT',
        status: 0,
        message: 'no answer in time',
        cause: error,
      });
    }
    const data = (error.data ?? error.shape?.data) as ServerErrorData | undefined;
    if (data && typeof data.code === 'string') {
      const response = (error.meta as { response?: Response } | undefined)?.response;
      return new AitbcError({
        code: data.code,
        status: typeof data.httpStatus === 'number' ? data.httpStatus : (response?.status ?? 0),
        message: error.message,
        issues: issuesOf(data.issues),
        retryAfterSeconds: retryAfterOf(response),
        cause: error,
      });
    }
    return new AitbcError({
      code: 'NETWORK_ERROR',
      status: 0,
      message: error.message,
      cause: error.cause ?? error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AitbcError({ code: 'NETWORK_ERROR', status: 0, message, cause: error });
}

function isTimeout(cause: unknown): boolean {
  return cause instanceof Error && cause.name === 'TimeoutError';
}

function issuesOf(value: unknown): AitbcIssue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(
    (i): i is AitbcIssue =>
      typeof i === 'object' &&
      i !== null &&
      typeof i.path === 'string' &&
      typeof i.message === 'string',
  );
}

function retryAfterOf(response: Response | undefined): number | undefined {
  const header = response?.headers?.get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}
