/**
 * Every timing constant of the miner runtime, in one place (PROTOCOL.md lists them). The
 * heartbeat interval and lease length are not here: the coordinator tells them at register.
 */

/** Long-poll wait sent as `max_wait_seconds` unless `pollWaitSeconds` says otherwise (contract §4). */
export const DEFAULT_POLL_WAIT_SECONDS = 15;

/**
 * Added to the poll wait to get the client-side timeout of a poll or heartbeat call, so that a
 * long-poll answering `{job: null}` at its deadline is never cut off by our own timeout.
 */
export const CALL_TIMEOUT_MARGIN_MS = 10_000;

/** Timeout of the short calls (register, result, fail, drain). */
export const SHORT_CALL_TIMEOUT_MS = 30_000;

/** Backoff of the loops after a failed call: first delay, growth factor, cap. Reset on success. */
export const BACKOFF_INITIAL_MS = 500;
export const BACKOFF_FACTOR = 2;
export const BACKOFF_MAX_MS = 30_000;
/** Each delay is drawn uniformly from [delay × (1 − JITTER), delay] so miners do not stampede. */
export const BACKOFF_JITTER = 0.5;

/** How long `stop()` lets in-flight jobs finish before aborting them. */
export const DEFAULT_DRAIN_GRACE_MS = 30_000;

/** Longest error message sent with a failure (the contract allows 2000 characters). */
export const MAX_ERROR_MESSAGE_LENGTH = 500;

/** `job.progress()` sends at most one report per this interval (the latest one wins). */
export const PROGRESS_MIN_INTERVAL_MS = 500;

/** After the push channel was refused or dropped, the miner long-polls this long before trying it again. */
export const PUSH_RETRY_MS = 30_000;
