import { signRequest } from '@aitbc/request-signing';
import { AitbcError } from './errors.js';
import {
  isRetryableStatus,
  parseRetryAfterMs,
  type RetryOptions,
  retryDelayMs,
} from './retry-policy.js';

/** How the caller proves who it is: the key itself, or an HMAC signature made with it (§8a). */
export interface Credentials {
  apiKey: string;
  /** When set, requests are signed under this principal name and the key is never sent. */
  signing?: { keyId: string } | undefined;
}

/** What one call may do: decided per call from its type, path and context. */
export interface RequestPolicy {
  timeoutMs: number;
  retry: Required<RetryOptions>;
  /** Whether the call may be repeated after an ambiguous failure (500/502/504, dropped connection). */
  safeToRepeat: boolean;
  /** Sent with every attempt (Idempotency-Key, User-Agent, the caller's own). */
  headers: Record<string, string>;
}

/**
 * A `fetch` for one call: authenticates every attempt (a fresh nonce and timestamp each time when
 * signing, since the server refuses a replayed nonce), bounds each attempt by `timeoutMs` and the
 * caller's signal, and repeats the request on answers and failures the policy calls transient.
 * The last answer is returned as it is for tRPC to parse, except a non-JSON error answer (a
 * proxy's page), which becomes an AitbcError `HTTP_<status>` here because its status would
 * otherwise be lost.
 */
export function resilientFetch(
  baseFetch: typeof fetch,
  credentials: Credentials,
  policy: RequestPolicy,
): typeof fetch {
  return async (input, init = {}) => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    const callerSignal = init.signal ?? undefined;
    for (let retry = 0; ; retry++) {
      const canRetry = retry < policy.retry.retries;
      const headers = attemptHeaders(url, init, credentials, policy);
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
      let response: Response;
      try {
        response = await baseFetch(url, { ...init, headers, signal });
      } catch (error) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        if (timeout.aborted) throw timeoutError(policy.timeoutMs, error);
        if (!(canRetry && policy.safeToRepeat)) throw networkError(error);
        await sleep(retryDelayMs(retry, policy.retry, undefined), callerSignal);
        continue;
      }
      if (response.ok || !(canRetry && isRetryableStatus(response.status, policy.safeToRepeat))) {
        return finalAnswer(response);
      }
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
      await response.body?.cancel().catch(() => undefined);
      await sleep(retryDelayMs(retry, policy.retry, retryAfterMs), callerSignal);
    }
  };
}

export function attemptHeaders(
  url: string,
  init: RequestInit,
  credentials: Credentials,
  policy: Pick<RequestPolicy, 'headers'>,
): Headers {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(policy.headers)) headers.set(name, value);
  if (!credentials.signing) {
    headers.set('x-api-key', credentials.apiKey);
    return headers;
  }
  const { pathname, search } = new URL(url);
  const body =
    typeof init.body === 'string' || init.body instanceof Uint8Array ? init.body : undefined;
  const signed = signRequest({
    keyId: credentials.signing.keyId,
    secret: credentials.apiKey,
    method: init.method ?? 'GET',
    target: `${pathname}${search}`,
    body,
  });
  for (const [name, value] of Object.entries(signed)) headers.set(name, value);
  return headers;
}

function finalAnswer(response: Response): Response {
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  if (response.ok || isJson) return response;
  void response.body?.cancel().catch(() => undefined);
  const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
  throw new AitbcError({
    code: `HTTP_${response.status}`,
    status: response.status,
    message: `HTTP ${response.status} ${response.statusText} (not an answer of the coordinator)`,
    retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
  });
}

function timeoutError(timeoutMs: number, cause: unknown): AitbcError {
  return new AitbcError({
    code: 'REQUEST_TIMEOUT',
    status: 0,
    message: `no answer within ${timeoutMs} ms`,
    cause,
  });
}

function networkError(cause: unknown): AitbcError {
  const detail =
    cause instanceof Error
      ? cause.cause instanceof Error
        ? cause.cause.message
        : cause.message
      : String(cause);
  return new AitbcError({
    code: 'NETWORK_ERROR',
    status: 0,
    message: `request failed: ${detail}`,
    cause,
  });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
