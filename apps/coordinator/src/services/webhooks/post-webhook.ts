import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type ResolvedAddress, resolveWebhookTarget } from './address-policy.js';

export interface PostOutcome {
  /** The receiver's status, or null when none came. */
  statusCode: number | null;
  /** Why the attempt failed; null on a 2xx. */
  error: string | null;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** Aborts the request (shutdown). */
  signal?: AbortSignal;
}

/**
 * One POST of a webhook. The host is resolved and checked here, on every attempt, and the
 * connection goes to the checked addresses only (a pinned `lookup`): a DNS answer that changed
 * to a private address after submit is refused, and cannot change again between check and
 * connect. Redirects are not followed (a 3xx is a failed attempt). TLS still verifies the
 * certificate against the URL's host name.
 */
export async function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<PostOutcome> {
  const url = new URL(target);
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
    : AbortSignal.timeout(options.timeoutMs);
  try {
    const addresses = await withSignal(resolveWebhookTarget(url, options.allowPrivate), signal);
    const statusCode = await send(url, addresses, headers, body, signal);
    const ok = statusCode >= 200 && statusCode < 300;
    return { statusCode, error: ok ? null : `HTTP ${statusCode}` };
  } catch (err) {
    if (signal.aborted && !options.signal?.aborted) {
      return { statusCode: null, error: `timed out after ${options.timeoutMs} ms` };
    }
    return { statusCode: null, error: describe(err) };
  }
}

function send(
  url: URL,
  addresses: ResolvedAddress[],
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<number> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(addresses),
        agent: false,
        signal,
      },
      (response) => {
        response.resume(); // the answer's body is not used; drain it so the socket can close
        response.on('error', () => {});
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** A `lookup` that answers with the checked addresses instead of asking DNS again. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const all = (options as { all?: boolean }).all === true;
    if (all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}

function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describe(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const text = code ? `${code}: ${message ?? ''}` : (message ?? String(err));
  return text.slice(0, 500);
}
