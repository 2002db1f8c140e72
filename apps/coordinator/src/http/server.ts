import { AppError } from '@aitbc/contracts';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { KeyRing } from '../config/api-keys.js';
import type { Config } from '../config/config.js';
import type { ServiceContext } from '../services/context.js';
import { createRequestContext } from '../trpc/context.js';
import { type AppRouter, appRouter } from '../trpc/router.js';
import { parseJsonBody } from './json-body.js';
import { buildOpenApiDocument } from './openapi.js';
import { registerRestRoutes, sendError } from './rest-plugin.js';

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
): FastifyInstance {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
    },
    bodyLimit: config.maxBodyBytes,
    // Long polls last up to LONG_POLL_MAX_SECONDS; keep-alive sockets must outlive them.
    keepAliveTimeout: 72_000,
    forceCloseConnections: 'idle',
  });

  // Once shutdown begins, answers close their keep-alive connection, so close() does not wait
  // for clients to hang up (in-flight requests still finish; new ones get 503).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

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

  void app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({
        req,
        info,
      }: {
        req: { headers: Record<string, string | string[] | undefined> };
        info: { signal: AbortSignal };
      }) => createRequestContext(services, keys, req.headers, info.signal),
      responseMeta: ({ ctx }: { ctx?: { response: { headers: Record<string, string> } } }) => ({
        headers: ctx?.response.headers ?? {},
      }),
      onError: ({ error }: { error: { code: string } & Error }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error }, 'trpc error');
      },
    } as never,
  });
  registerRestRoutes(app, {
    router: appRouter as AppRouter,
    createContext: (req, signal) => createRequestContext(services, keys, req.headers, signal),
  });
  return app;
}
