/**
 * tRPC subscriptions over Server-Sent Events, read with `fetch` (Node 20 has no EventSource, and
 * fetch lets every connection carry the API key or a fresh §8a signature, and tells a refusal —
 * 404 from an older coordinator, 401/403 — apart from a dropped connection). The coordinator
 * serves each subscription at `GET /trpc/<path>?input=<json>`: `connected` first, then one
 * `message` per value (its `id` the event id of tracked values), `ping` every 10 s,
 * `serialized-error` on failure, `return` at the end.
 */
import { AitbcError } from './errors.js';
import { attemptHeaders, type Credentials } from './resilient-fetch.js';

/** One server-sent event as read off the wire. */
export interface StreamMessage {
  event: string;
  id: string | null;
  data: string;
}

export interface OpenStreamOptions {
  /** The tRPC endpoint, e.g. `http://127.0.0.1:8011/trpc`. */
  trpcUrl: string;
  credentials: Credentials;
  /** The subscription's path, e.g. `jobs.watch`. */
  path: string;
  input?: unknown;
  /** Sent as `Last-Event-ID`: the stream resumes after it. */
  lastEventId?: string | undefined;
  signal?: AbortSignal | undefined;
  fetch?: typeof fetch | undefined;
  headers?: Record<string, string> | undefined;
  /** A stream silent this long (no event, no ping) is treated as dropped. Default 25 000 ms. */
  inactivityMs?: number;
  /** Time allowed for the answer's headers. Default 15 000 ms. */
  connectTimeoutMs?: number;
}

export interface EventStream {
  /** Every message but pings, until the stream ends (done) or drops (throws NETWORK_ERROR). */
  messages: AsyncIterable<StreamMessage>;
  close(): void;
}

/**
 * Opens the stream; rejects with an AitbcError when the coordinator refuses it (its status and
 * code, e.g. `HTTP_404` from a coordinator without this subscription) or cannot be reached.
 */
export async function openEventStream(options: OpenStreamOptions): Promise<EventStream> {
  const query =
    options.input === undefined
      ? ''
      : `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
  const url = `${options.trpcUrl}/${options.path}${query}`;
  const abort = new AbortController();
  const stop = () => abort.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
  const policy = { headers };
  const connect = setTimeout(stop, options.connectTimeoutMs ?? 15_000);
  let response: Response;
  try {
    response = await (options.fetch ?? globalThis.fetch)(url, {
      headers: attemptHeaders(url, {}, options.credentials, policy),
      signal: abort.signal,
    });
  } catch (cause) {
    options.signal?.removeEventListener('abort', stop);
    if (options.signal?.aborted) throw options.signal.reason;
    throw new AitbcError({
      code: 'NETWORK_ERROR',
      status: 0,
      message: `stream failed: ${String(cause)}`,
      cause,
    });
  } finally {
    clearTimeout(connect);
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.includes('text/event-stream') || !response.body) {
    options.signal?.removeEventListener('abort', stop);
    throw await refusal(response);
  }
  const body = response.body;
  return {
    messages: readMessages(body, abort, options.inactivityMs ?? 25_000, () =>
      options.signal?.removeEventListener('abort', stop),
    ),
    close: stop,
  };
}

async function refusal(response: Response): Promise<AitbcError> {
  const text = await response.text().catch(() => '');
  const shape = parseJson(text) as { error?: { data?: { code?: string } }; code?: string } | null;
  const code = shape?.error?.data?.code ?? shape?.code;
  return new AitbcError({
    code: typeof code === 'string' ? code : `HTTP_${response.status}`,
    status: response.status,
    message: `the coordinator refused the stream: HTTP ${response.status}`,
  });
}

async function* readMessages(
  body: ReadableStream<Uint8Array>,
  abort: AbortController,
  inactivityMs: number,
  done: () => void,
): AsyncGenerator<StreamMessage> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let timer = setTimeout(() => abort.abort(), inactivityMs);
  let buffer = '';
  try {
    for (;;) {
      const chunk = await reader.read().catch((cause: unknown) => {
        throw dropped(cause);
      });
      if (chunk.done) return;
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(), inactivityMs);
      buffer += chunk.value.replaceAll('\r\n', '\n');
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const message = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (message && message.event !== 'ping') yield message;
      }
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
    done();
  }
}

function parseBlock(block: string): StreamMessage | null {
  const message: StreamMessage = { event: 'message', id: null, data: '' };
  let fields = 0;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields++;
    if (field === 'event') message.event = value;
    else if (field === 'id') message.id = value;
    else if (field === 'data') message.data += message.data === '' ? value : `\n${value}`;
  }
  return fields > 0 ? message : null;
}

/** The error a `serialized-error` message carries, as an AitbcError with the server's code. */
export function streamError(message: StreamMessage): AitbcError {
  const shape = parseJson(message.data) as {
    message?: string;
    data?: { code?: string; httpStatus?: number };
  } | null;
  return new AitbcError({
    code: shape?.data?.code ?? 'INTERNAL',
    status: shape?.data?.httpStatus ?? 0,
    message: shape?.message ?? 'the stream failed',
  });
}

function dropped(cause: unknown): AitbcError {
  return new AitbcError({ code: 'NETWORK_ERROR', status: 0, message: 'the stream dropped', cause });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
