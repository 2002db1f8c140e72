/**
 * When and how long to wait before repeating a request: pure functions, so the rules are tested
 * without a clock or a server.
 */

export interface RetryOptions {
  /** Repeats after the first attempt; 0 turns retries off. Default 4. */
  retries?: number;
  /** The backoff cap of the first retry, doubled each retry. Default 200 ms. */
  minDelayMs?: number;
  /** No backoff is longer than this (a server's Retry-After may be). Default 5000 ms. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  retries: 4,
  minDelayMs: 200,
  maxDelayMs: 5000,
};

/**
 * "Full jitter" exponential backoff: a uniform pick in [0, min(max, min·2^retry)). Spreading
 * retries over the whole window keeps many clients that failed together from retrying together.
 * `retry` counts from 0; `random` returns [0, 1) like Math.random.
 */
export function backoffDelayMs(
  retry: number,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * The wait a `Retry-After` header asks for, in ms: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfterMs(
  header: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; Date.parse alone would read "-1" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The delay before retry number `retry`: the server's Retry-After wins over a shorter backoff. */
export function retryDelayMs(
  retry: number,
  options: Required<RetryOptions>,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelayMs(retry, options, random);
  return retryAfterMs === undefined ? backoff : Math.max(backoff, retryAfterMs);
}

/**
 * Statuses at which the server refused before acting (rate limited, not ready): any call may be
 * repeated.
 */
const REFUSED_STATUSES = new Set([429, 503]);
/**
 * Statuses after which the server may or may not have acted (a bug, a gateway that lost the
 * upstream answer): only calls that are safe to repeat are retried.
 */
const AMBIGUOUS_STATUSES = new Set([500, 502, 504]);

/** Whether an answer with this status should be retried, given whether the call is repeatable. */
export function isRetryableStatus(status: number, safeToRepeat: boolean): boolean {
  return REFUSED_STATUSES.has(status) || (safeToRepeat && AMBIGUOUS_STATUSES.has(status));
}

/**
 * Mutations that the contract makes idempotent: repeating one has the effect of doing it once.
 * Queries are always safe; `jobs.submit` and the typed service endpoints are safe when they carry
 * an Idempotency-Key. Not here: `miners.fail` and `miners.progress` (a repeat after a lost answer
 * gets LEASE_LOST or a second report).
 */
export const IDEMPOTENT_MUTATIONS: ReadonlySet<string> = new Set([
  'jobs.cancel',
  'jobs.explain',
  'miners.register',
  'miners.heartbeat',
  'miners.poll',
  'miners.result',
  'miners.drain',
]);

/** Whether a call may be repeated after an ambiguous failure (500/502/504, dropped connection). */
export function isSafeToRepeat(
  type: 'query' | 'mutation' | 'subscription',
  path: string,
  hasIdempotencyKey: boolean,
): boolean {
  return type === 'query' || hasIdempotencyKey || IDEMPOTENT_MUTATIONS.has(path);
}
