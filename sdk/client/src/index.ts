export {
  type AitbcClient,
  type ClientOptions,
  createClient,
  type RunOptions,
  type RunResult,
  type SubmitOptions,
} from './client.js';
export {
  AitbcError,
  type AitbcIssue,
  isAitbcError,
  type SdkErrorCode,
  toAitbcError,
} from './errors.js';
export {
  type EventStream,
  type OpenStreamOptions,
  openEventStream,
  type StreamMessage,
  streamError,
} from './event-stream.js';
export type { JobStreamEvent, WatchOptions } from './job-stream.js';
export {
  type VerifyFailure,
  type VerifyResult,
  verifyReceiptOffline,
  verifyWebhookOffline,
  type WebhookHeaders,
  type WebhookVerifyFailure,
  type WebhookVerifyResult,
} from './receipt-verifier.js';
export {
  backoffDelayMs,
  IDEMPOTENT_MUTATIONS,
  parseRetryAfterMs,
  type RetryOptions,
} from './retry-policy.js';
export {
  type AppRouter,
  type CallContext,
  createTrpcClient,
  DEFAULT_TIMEOUT_MS,
  type TransportOptions,
} from './transport.js';
export * from './types.js';
export type { WaitOptions } from './wait-for-job.js';
