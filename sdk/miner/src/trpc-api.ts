import {
  createTrpcClient,
  type EventStream,
  openEventStream,
  streamError,
  toAitbcError,
} from '@aitbc/client';
import type { CallOptions, MinerApi } from './miner-api.js';
import type { Assignment } from './wire-types.js';

interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  signing?: { keyId: string };
}

/** The miner calls over the `@aitbc/client` transport (auth, signing, retries, timeouts). */
export function createTrpcMinerApi(options: TransportOptions): MinerApi {
  const trpc = createTrpcClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    ...(options.signing ? { signing: options.signing } : {}),
    userAgent: USER_AGENT,
  });
  const m = trpc.miners;
  const trpcUrl = `${options.baseUrl.replace(/\/+$/, '')}/trpc`;
  const credentials = { apiKey: options.apiKey, signing: options.signing };
  return {
    register: (input, o) => call(o, (opts) => m.register.mutate(input, opts)),
    heartbeat: (input, o) => call(o, (opts) => m.heartbeat.mutate(input, opts)),
    poll: async (input, o) => (await call(o, (opts) => m.poll.mutate(input, opts))).job,
    // `result` is any JSON value; the coordinator validates it.
    result: (input, o) =>
      call(o, (opts) => m.result.mutate({ ...input, result: input.result as never }, opts)),
    fail: (input, o) => call(o, (opts) => m.fail.mutate(input, opts)),
    drain: (o) => call(o, (opts) => m.drain.mutate({}, opts)),
    progress: (input, o) => call(o, (opts) => m.progress.mutate(input, opts)),
    assignments: async ({ signal }) =>
      assignmentsOf(
        await openEventStream({
          trpcUrl,
          credentials,
          path: 'miners.assignments',
          signal,
          headers: { 'user-agent': USER_AGENT },
        }),
      ),
  };
}

const USER_AGENT = 'aitbc-miner-sdk/0.1.0';

/** The push channel's messages as assignments; a `serialized-error` ends it with the server's error. */
async function* assignmentsOf(stream: EventStream): AsyncGenerator<Assignment, void, undefined> {
  try {
    for await (const message of stream.messages) {
      if (message.event === 'serialized-error') throw streamError(message);
      if (message.event === 'message') yield JSON.parse(message.data) as Assignment;
    }
  } finally {
    stream.close();
  }
}

interface TrpcCallOptions {
  context: { timeoutMs: number };
  signal?: AbortSignal;
}

/** One call with its timeout and signal; its failure as an `AitbcError` (code, status, issues). */
async function call<T>(
  options: CallOptions,
  run: (opts: TrpcCallOptions) => Promise<T>,
): Promise<T> {
  const { timeoutMs, signal } = options;
  try {
    return await run({ context: { timeoutMs }, ...(signal ? { signal } : {}) });
  } catch (error) {
    // Our own abort (the miner stopping) is not a failure of the coordinator.
    if (signal?.aborted) throw error;
    throw toAitbcError(error);
  }
}
