import { AppError } from '@aitbc/contracts';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { KeyRing } from '../config/api-keys.js';
import type { Config } from '../config/config.js';
import type { ServiceContext } from '../services/context.js';
import type { RateLimits } from '../services/rate-limits.js';
import { createRequestContext } from '../trpc/context.js';
import { type AppRouter, appRouter } from '../trpc/router.js';
import { parseJsonBody } from './json-body.js';
import { buildOpenApiDocument } from './openapi.js';
import { registerRequestGuard } from './request-guard.js';
import { registerResponseHeaders } from './response-headers.js';
import { registerRestRoutes, sendError } from './rest-plugin.js';
import { registerSlowRequestCutoff } from './slow-requests.js';
import { registerTrpcWebSocket } from './trpc-websocket.js';

/** Fastify errors raised before a procedure runs (body limits, content types), as AppErrors. */
function fromFastifyError(err: FastifyError): AppError {
  if (err instanceof AppError) return err;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'send JSON with Content-Type: application/json',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_REQUEST', err.message);
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError('MALFORMED_REQUEST', err.message);
  }
  return new AppError('INTERNAL', 'internal error');
}

export function buildHttpServer(
  config: Config,
  services: ServiceContext,
  keys: KeyRing,
  limits: RateLimits,
): FastifyInstance {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
    },
    bodyLimit: config.maxBodyBytes,
    // Long polls last up to LONG_POLL_MAX_SECONDS; keep-alive sockets must outlive them.
    keepAliveTimeout: 72_000,
    // A client gets REQUEST_TIMEOUT_SECONDS to send its whole request (slow-loris uploads are cut
    // off); a socket silent for longer than the longest poll plus a minute is closed.
    requestTimeout: config.security.requestTimeoutSeconds * 1000,
    connectionTimeout: (config.longPollMaxSeconds + 60) * 1000,
    // Node checks request (header) timeouts on this interval (default 30 s): each second instead.
    http: { connectionsCheckingInterval: 1000 },
    forceCloseConnections: 'idle',
    // A tRPC batch names every procedure in one path parameter (`/trpc/a,b,c`).
    routerOptions: { maxParamLength: Math.max(100, config.security.maxBatchSize * 64) },
  });

  // Once shutdown begins, answers close their keep-alive connection, so close() does not wait
  // for clients to hang up (in-flight requests still finish; new ones get 503).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, next) => {
    if (closing) reply.header('connection', 'close');
    next(null, payload);
  });
  registerResponseHeaders(app, config.security.corsOrigins);
  registerSlowRequestCutoff(app, config.security.requestTimeoutSeconds * 1000);
  registerRequestGuard(app, {
    keys,
    nonces: services.nonces,
    limits,
    clock: services.clock,
    security: config.security,
  });

  app.removeAllContentTypeParsers();
  addJsonParser(app, parseJsonBody);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const appError = fromFastifyError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
    void sendError(reply, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    void sendError(reply, new AppError('NOT_FOUND', `no route ${request.method} ${path}`));
  });

  const document = buildOpenApiDocument();
  app.get('/openapi.json', { logLevel: 'warn' }, async () => document);
  void app.register(fastifySwagger, {
    mode: 'static',
    specification: { document: document as never },
  });
  void app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const createContext = (req: FastifyRequest, callerGone: () => AbortSignal | undefined) =>
    createRequestContext(services, req.auth ?? UNCHECKED, req.headers, callerGone);
  void app.register(async (trpc) => {
    // tRPC parses its own bodies: hand it the text, keep the bytes for the signature check.
    trpc.removeAllContentTypeParsers();
    addJsonParser(trpc, (text) => text);
    trpc.all('/trpc/:path', async (req: FastifyRequest<{ Params: { path: string } }>, res) => {
      await fastifyRequestHandler({
        router: appRouter,
        req,
        res,
        path: req.params.path,
        createContext: ({ info }: { info: { signal: AbortSignal } }) =>
          createContext(req, () => info.signal),
        responseMeta: ({ ctx, errors }: TrpcResponseMetaInput) => ({
          headers: {
            ...ctx?.response.headers,
            ...(errors.some((e) => e.code === 'TOO_MANY_REQUESTS') ? { 'retry-after': '1' } : {}),
          },
        }),
        onError: ({ error }: { error: { code: string } & Error }) => {
          if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error }, 'trpc error');
        },
      } as never);
    });
  });
  registerTrpcWebSocket(app, config, services, keys);
  registerRestRoutes(app, { router: appRouter as AppRouter, createContext });
  return app;
}

interface TrpcResponseMetaInput {
  ctx?: { response: { headers: Record<string, string> } };
  errors: { code: string }[];
}

/** A request the guard did not see cannot be trusted with any principal. */
const UNCHECKED = { principals: null, refusal: null };

/**
 * JSON bodies are read as bytes: `rawBody` keeps them for the signature check, `parse` turns
 * their UTF-8 text into the body the route sees.
 */
function addJsonParser(app: FastifyInstance, parse: (text: string) => unknown): void {
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer;
    try {
      done(null, parse((body as Buffer).toString('utf8')));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
