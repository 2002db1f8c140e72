import type { AppError } from '@aitbc/contracts';
import type { Principal } from '../config/api-keys.js';
import type { Authentication } from '../http/authenticate.js';
import type { ServiceContext } from '../services/context.js';

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** What a procedure may set on the HTTP response (REST honours status; both honour headers). */
export interface ResponseMeta {
  status?: number;
  headers: Record<string, string>;
}

export interface RequestContext {
  services: ServiceContext;
  /** Null when no key was sent; an empty list when the key is unknown. */
  principals: Principal[] | null;
  /** Set when routes that need a key must refuse this caller (see Authentication.refusal). */
  authRefusal: AppError | null;
  header(name: string): string | undefined;
  response: ResponseMeta;
  /**
   * Aborted when the caller goes away (long polls stop waiting). A function: REST calls make the
   * AbortController only for the procedures that ask (most never do, and each one costs).
   */
  callerGone(): AbortSignal | undefined;
  /** Set on WebSocket connections, which carry subscriptions only. */
  transport?: 'ws';
}

/**
 * Reads headers from either a Fetch `Headers` object or a plain Node header record: the REST
 * adapter and the tRPC adapter hand over different shapes.
 */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  const value =
    typeof (headers as Headers).get === 'function'
      ? (headers as Headers).get(name)
      : (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  if (Array.isArray(value)) return value[0];
  return value ?? undefined;
}

/** `X-Api-Key: k` or `Authorization: Bearer k`. */
export function apiKeyFrom(headers: HeaderSource): string | null {
  const direct = readHeader(headers, 'x-api-key');
  if (direct) return direct.trim();
  const auth = readHeader(headers, 'authorization');
  const match = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  return match?.[1] ?? null;
}

/** The context of one call, for a caller already authenticated (http/authenticate.ts). */
export function createRequestContext(
  services: ServiceContext,
  auth: Pick<Authentication, 'principals' | 'refusal'>,
  headers: HeaderSource,
  callerGone: () => AbortSignal | undefined = () => undefined,
): RequestContext {
  return {
    services,
    principals: auth.principals,
    authRefusal: auth.refusal,
    header: (name) => readHeader(headers, name),
    response: { headers: {} },
    callerGone,
  };
}
