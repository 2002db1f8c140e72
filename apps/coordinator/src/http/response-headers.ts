import type { FastifyInstance } from 'fastify';

/** Request headers a browser may send cross-origin: auth, signing, idempotency, resuming. */
const ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-api-key',
  'x-api-key-id',
  'x-timestamp',
  'x-nonce',
  'x-signature',
  'idempotency-key',
  'last-event-id',
].join(', ');
/** Response headers a browser may read cross-origin. */
const EXPOSED_HEADERS = [
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'idempotent-replayed',
].join(', ');

/**
 * Headers on every answer: `nosniff`, no framing (clickjacking), no referrer, and `no-store` on
 * API answers (job results and receipts must not sit in shared caches). CORS only for the
 * origins in CORS_ORIGINS; with none configured, no CORS header is ever sent and browsers keep
 * other sites' pages from reading the API.
 */
export function registerResponseHeaders(app: FastifyInstance, corsOrigins: string[]): void {
  const anyOrigin = corsOrigins.includes('*');
  const allowed = new Set(corsOrigins);
  const corsOriginFor = (origin: string | undefined): string | null => {
    if (!origin || allowed.size === 0) return null;
    if (anyOrigin) return '*';
    return allowed.has(origin) ? origin : null;
  };

  // Callback hooks, not async ones: they run on every request, and a promise each adds up.
  app.addHook('onRequest', (request, reply, next) => {
    const origin = corsOriginFor(request.headers.origin);
    if (origin === null) return next();
    reply.header('access-control-allow-origin', origin);
    if (!anyOrigin) reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      // Answered here: the request goes no further (so `next` is not called).
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
      return;
    }
    reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    next();
  });

  app.addHook('onSend', (request, reply, payload, next) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (!request.url.startsWith('/docs')) {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      reply.header('cache-control', 'no-store');
    } else {
      reply.header('content-security-policy', "frame-ancestors 'none'");
    }
    next(null, payload);
  });
}
