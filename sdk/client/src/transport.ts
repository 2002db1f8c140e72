/**
 * The transport every AITBC SDK is built on: a typed tRPC client (`httpLink`, one HTTP request
 * per call, no batching) whose `fetch` authenticates, times out and retries each request.
 *
 * ```ts
 * const trpc = createTrpcClient({ baseUrl: 'http://127.0.0.1:8011', apiKey: process.env.KEY! });
 * const job = await trpc.jobs.get.query({ job_id });
 * ```
 *
 * Per-call options go in tRPC's operation `context`, typed as {@link CallContext}:
 *
 * ```ts
 * await trpc.miners.poll.mutate({ max_wait_seconds: 30 }, { context: { timeoutMs: 40_000 } });
 * await trpc.jobs.submit.mutate(input, { context: { idempotencyKey: crypto.randomUUID() } });
 * await trpc.jobs.get.query({ job_id }, { signal }); // aborting stops the call and its retries
 * ```
 *
 * Retry rule. Every call is repeated (up to `retry.retries` times, exponential backoff with full
 * jitter, at least the server's `Retry-After`) when the server refused it before acting: 429 and
 * 503. A call that is safe to repeat is also repeated after an ambiguous failure, where the
 * server may or may not have acted: 500, 502, 504 or a connection that failed or dropped. Safe
 * to repeat are queries, mutations idempotent by contract (`jobs.cancel`, `jobs.explain`,
 * `miners.register`, `miners.heartbeat`, `miners.poll`, `miners.result` with the same lease,
 * `miners.drain`), and any mutation sent with an `idempotencyKey` (`jobs.submit`, the typed
 * `services.*` endpoints). `context.safeToRepeat` overrides the rule for one call. A request
 * that exceeds its timeout is not repeated (REQUEST_TIMEOUT): the caller's time budget is spent.
 */
import type { AppRouter } from '@aitbc/coordinator';
import { createTRPCClient, httpLink, type TRPCClient, type TRPCLink } from '@trpc/client';
import { type Credentials, type RequestPolicy, resilientFetch } from './resilient-fetch.js';
import { DEFAULT_RETRY, isSafeToRepeat, type RetryOptions } from './retry-policy.js';

export type { AppRouter, RetryOptions };

export interface TransportOptions {
  /** The coordinator's origin, e.g. `http://127.0.0.1:8011` (the tRPC endpoint is `/trpc`). */
  baseUrl: string;
  apiKey: string;
  /** When set, requests are HMAC-signed (contract §8a) under this principal name; the key is never sent. */
  signing?: { keyId: string };
  /** Per HTTP request (each retry gets its own), default 30 000 ms. */
  timeoutMs?: number;
  /** Defaults: 4 retries, backoff from 200 ms up to 5000 ms. */
  retry?: RetryOptions;
  /** Another fetch (a test double, a proxy agent); default the global fetch. */
  fetch?: typeof fetch;
  userAgent?: string;
}

/**
 * Per-call options, passed as `{ context }` in a call's second argument. A type, not an
 * interface, so that it fits tRPC's `Record<string, unknown>` context.
 */
export type CallContext = {
  /** This call's per-request timeout (a long poll needs more than the default). */
  timeoutMs?: number;
  /** Sent as `Idempotency-Key`; makes the call safe to repeat. */
  idempotencyKey?: string;
  /** Overrides the retry rule for this call. */
  safeToRepeat?: boolean;
  /** This call's retry settings (`{ retries: 0 }` turns retries off). */
  retry?: RetryOptions;
  /** Extra request headers for this call. */
  headers?: Record<string, string>;
};

export const DEFAULT_TIMEOUT_MS = 30_000;
export const TRPC_PATH = '/trpc';

/** The typed tRPC client of the coordinator, with authentication, timeouts and retries. */
export function createTrpcClient(options: TransportOptions): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({ links: [resilientHttpLink(options)] });
}

/**
 * httpLink takes one `fetch` for all calls; the policy depends on the call, so each operation
 * gets an httpLink of its own (cheap: closures only) around a fetch made for it.
 */
function resilientHttpLink(options: TransportOptions): TRPCLink<AppRouter> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${TRPC_PATH}`;
  const credentials: Credentials = { apiKey: options.apiKey, signing: options.signing };
  const baseFetch = options.fetch ?? globalThis.fetch;
  return (runtime) =>
    ({ op, next }) => {
      const policy = policyFor(options, op.type, op.path, op.context as CallContext);
      const link = httpLink<AppRouter>({
        url,
        fetch: resilientFetch(baseFetch, credentials, policy),
      });
      return link(runtime)({ op, next });
    };
}

function policyFor(
  options: TransportOptions,
  type: 'query' | 'mutation' | 'subscription',
  path: string,
  context: CallContext,
): RequestPolicy {
  const headers: Record<string, string> = { ...context.headers };
  if (options.userAgent) headers['user-agent'] = options.userAgent;
  if (context.idempotencyKey) headers['idempotency-key'] = context.idempotencyKey;
  return {
    timeoutMs: context.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: { ...DEFAULT_RETRY, ...options.retry, ...context.retry },
    safeToRepeat:
      context.safeToRepeat ?? isSafeToRepeat(type, path, Boolean(context.idempotencyKey)),
    headers,
  };
}
