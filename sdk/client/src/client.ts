import type { TRPCClient } from '@trpc/client';
import { AitbcError, toAitbcError } from './errors.js';
import { openEventStream } from './event-stream.js';
import {
  type JobStreamEvent,
  StreamUnavailable,
  type WatchOptions,
  watchJob,
} from './job-stream.js';
import {
  createVerifiers,
  type VerifyResult,
  type WebhookHeaders,
  type WebhookVerifyResult,
} from './receipt-verifier.js';
import { type AppRouter, createTrpcClient, TRPC_PATH, type TransportOptions } from './transport.js';
import type {
  JobPage,
  JobResultView,
  JobView,
  ListJobsFilter,
  Receipt,
  ReceiptPage,
  ServiceEndpointList,
  SubmitJobInput,
} from './types.js';
import { type WaitOptions, waitForJob } from './wait-for-job.js';

export type ClientOptions = TransportOptions;

export interface SubmitOptions {
  /** Same key + same body → the same job. Default: a random UUID, kept across this call's retries. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface RunOptions extends WaitOptions {
  /** The rest of the submit body: constraints, priority, ttl_seconds, timeout_seconds, … */
  job?: Omit<SubmitJobInput, 'service' | 'payload'>;
  idempotencyKey?: string;
}

export interface RunResult {
  job: JobView;
  result: JobResultView['result'];
  receipt: Receipt;
  /** The receipt's verification against the coordinator's published keys (always `ok` here). */
  verification: Extract<VerifyResult, { ok: true }>;
}

export interface AitbcClient {
  /** The raw typed tRPC client, for every procedure this object has no helper for. */
  readonly trpc: TRPCClient<AppRouter>;
  submit(input: SubmitJobInput, options?: SubmitOptions): Promise<JobView>;
  get(jobId: string, options?: { signal?: AbortSignal }): Promise<JobView>;
  /** The outcome of a terminal job; AitbcError JOB_NOT_READY (409) before. */
  result(jobId: string): Promise<JobResultView>;
  cancel(jobId: string): Promise<JobView>;
  /** The latest receipt; AitbcError NOT_FOUND while there is none. */
  receipt(jobId: string): Promise<Receipt>;
  receipts(jobId: string, page?: { limit?: number; cursor?: string }): Promise<ReceiptPage>;
  /** Every job of the filter, newest first, following `next_cursor` page by page. */
  list(filter?: Omit<ListJobsFilter, 'cursor'>): AsyncIterableIterator<JobView>;
  listPage(filter?: ListJobsFilter): Promise<JobPage>;
  /**
   * Resolves with the terminal job, following its event stream (polling when the coordinator
   * does not serve it): see WaitOptions for the timeout, abort and updates.
   */
  wait(jobId: string, options?: WaitOptions): Promise<JobView>;
  /**
   * The job's events (jobs.watch): its current state, then every transition and progress
   * report, ending after the terminal event. Reconnects after a dropped connection and resumes
   * after the last event seen (or after `lastEventId`). Throws AitbcError (NOT_FOUND for
   * another principal's job; HTTP_404 or similar when the coordinator has no event streams).
   */
  watch(jobId: string, options?: WatchOptions): AsyncIterable<JobStreamEvent>;
  /**
   * Submits a job of a registry service, waits for it and returns it with its result and its
   * verified receipt. Throws AitbcError with the job's error code (or its state) unless it
   * COMPLETED, and RECEIPT_INVALID when the receipt does not verify.
   */
  run(
    service: string,
    payload: SubmitJobInput['payload'],
    options?: RunOptions,
  ): Promise<RunResult>;
  /** Checks a receipt against the coordinator's published keys (cached; refetched for an unknown key id). */
  verifyReceipt(receipt: unknown): Promise<VerifyResult>;
  /**
   * Checks a webhook delivery (its headers and the raw body as received) against the
   * coordinator's published keys (cached; refetched once when no cached key verifies it).
   */
  verifyWebhook(headers: WebhookHeaders, body: string): Promise<WebhookVerifyResult>;
  services: { list(): Promise<ServiceEndpointList> };
}

/** Every call answers with the server's value or throws an AitbcError. */
async function call<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw toAitbcError(error);
  }
}

export function createClient(options: ClientOptions): AitbcClient {
  const trpc = createTrpcClient(options);
  const verify = createVerifiers(() => trpc.receipts.keys.query());
  const get = (jobId: string, opts: { signal?: AbortSignal } = {}) =>
    call(() => trpc.jobs.get.query({ job_id: jobId }, opts), opts.signal);
  const listPage = (filter: ListJobsFilter = {}) => call(() => trpc.jobs.list.query(filter));
  const trpcUrl = `${options.baseUrl.replace(/\/+$/, '')}${TRPC_PATH}`;
  const credentials = { apiKey: options.apiKey, signing: options.signing };
  const streamJob = (jobId: string, watchOptions: WatchOptions) =>
    watchJob(
      (o) =>
        openEventStream({
          ...o,
          trpcUrl,
          credentials,
          fetch: options.fetch,
          headers: options.userAgent ? { 'user-agent': options.userAgent } : undefined,
        }),
      jobId,
      watchOptions,
    );
  const client: AitbcClient = {
    trpc,
    submit: (input, { idempotencyKey = crypto.randomUUID(), signal } = {}) =>
      call(() => trpc.jobs.submit.mutate(input, { context: { idempotencyKey }, signal }), signal),
    get,
    result: (jobId) => call(() => trpc.jobs.result.query({ job_id: jobId })),
    cancel: (jobId) => call(() => trpc.jobs.cancel.mutate({ job_id: jobId })),
    receipt: (jobId) => call(() => trpc.jobs.receipt.query({ job_id: jobId })),
    receipts: (jobId, page = {}) =>
      call(() => trpc.jobs.receipts.query({ job_id: jobId, ...page })),
    async *list(filter = {}) {
      let cursor: string | undefined;
      do {
        const page = await listPage({ ...filter, ...(cursor ? { cursor } : {}) });
        yield* page.items;
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
    },
    listPage,
    wait: (jobId, waitOptions) =>
      waitForJob(
        {
          getJob: (signal) => get(jobId, { signal }),
          watch: (signal) => streamJob(jobId, { signal }),
        },
        jobId,
        waitOptions,
      ),
    watch: (jobId, watchOptions = {}) => unwrapUnavailable(streamJob(jobId, watchOptions)),
    run: (service, payload, runOptions) => runServiceJob(client, service, payload, runOptions),
    verifyReceipt: (receipt) => call(() => verify.receipt(receipt)),
    verifyWebhook: (headers, body) => call(() => verify.webhook(headers, body)),
    services: { list: () => call(() => trpc.services.list.query()) },
  };
  return client;
}

/** For `watch` callers a stream the coordinator does not serve is an ordinary AitbcError. */
async function* unwrapUnavailable<T>(events: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  try {
    yield* events;
  } catch (error) {
    throw error instanceof StreamUnavailable ? error.reason : error;
  }
}

async function runServiceJob(
  client: AitbcClient,
  service: string,
  payload: SubmitJobInput['payload'],
  options: RunOptions = {},
): Promise<RunResult> {
  const { job: rest, idempotencyKey, ...waitOptions } = options;
  const submitted = await client.submit(
    { ...rest, service, payload },
    {
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  const job = await client.wait(submitted.job_id, waitOptions);
  if (job.state !== 'COMPLETED') {
    throw new AitbcError({
      code: job.error?.code ?? job.state,
      status: 0,
      message: `job ${job.job_id} ${job.state}${job.error ? `: ${job.error.message}` : ''}`,
    });
  }
  const outcome = await client.result(job.job_id);
  // A receipt of another job would verify too: it must be this job's.
  if (outcome.receipt?.job_id !== job.job_id) {
    throw new AitbcError({
      code: 'RECEIPT_INVALID',
      status: 0,
      message: `job ${job.job_id} has no receipt of its own`,
    });
  }
  const verification = await client.verifyReceipt(outcome.receipt);
  if (!verification.ok) {
    throw new AitbcError({
      code: 'RECEIPT_INVALID',
      status: 0,
      message: `the receipt of job ${job.job_id} does not verify: ${verification.reason}`,
    });
  }
  return { job, result: outcome.result, receipt: outcome.receipt, verification };
}
