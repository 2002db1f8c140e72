import type { FieldIssue } from '@aitbc/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import type { RequestContext } from '../trpc/context.js';
import type { AppRouter } from '../trpc/router.js';

export interface RestPluginOptions {
  router: AppRouter;
  createContext(req: FastifyRequest, signal: AbortSignal): RequestContext;
  maxBodyBytes: number;
}

/**
 * Serves the procedures' `openapi` routes under /v1 with trpc-to-openapi's handler, adapted to
 * Fastify like its own plugin, with two differences: the response status/headers a procedure
 * sets (201, Idempotent-Replayed) are applied, and error bodies are rewritten to the contract's
 * `{code, message, issues}` with the app's code (the library would put the tRPC code there).
 */
export function registerRestRoutes(app: FastifyInstance, opts: RestPluginOptions): void {
  const handler = createOpenApiNodeHttpHandler({
    router: opts.router,
    maxBodySize: opts.maxBodyBytes,
    createContext: ({ req, res }: { req: unknown; res: unknown }) => {
      const { fastifyRequest, abort } = req as unknown as {
        fastifyRequest: FastifyRequest;
        abort: AbortSignal;
      };
      void res;
      return opts.createContext(fastifyRequest, abort);
    },
    onError: ({ error }: { error: { code: string } & Error }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        app.log.error({ err: error.cause ?? error }, 'internal error');
      }
    },
    responseMeta: ({ ctx, errors }) => {
      const response = (ctx as RequestContext | undefined)?.response;
      if (!response) return {};
      return errors.length > 0
        ? { headers: response.headers }
        : { status: response.status, headers: response.headers };
    },
  } as Parameters<typeof createOpenApiNodeHttpHandler>[0]);

  app.route({
    method: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    url: '/v1/*',
    handler: async (request, reply) => {
      const abort = new AbortController();
      // Only a caller that left before the answer aborts (aborting costs a DOMException).
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      if (
        request.headers['content-type'] === undefined &&
        request.method === 'POST' &&
        request.body === undefined
      ) {
        // A bodiless POST (cancel, drain) is an empty object, not an unsupported media type.
        request.headers['content-type'] = 'application/json';
      }
      await handler(nodeRequest(request, abort.signal) as never, nodeResponse(reply) as never);
    },
  });
}

function nodeRequest(request: FastifyRequest, abort: AbortSignal) {
  return Object.assign(request, {
    fastifyRequest: request,
    abort,
    once: request.raw.once.bind(request.raw),
    on: request.raw.on.bind(request.raw),
    off: request.raw.off.bind(request.raw),
    destroy: request.raw.destroy.bind(request.raw),
  });
}

function nodeResponse(reply: FastifyReply) {
  let status = 200;
  return {
    get statusCode() {
      return status;
    },
    set statusCode(value: number) {
      status = value;
    },
    setHeader: (key: string, value: string) => reply.header(key, value),
    end: (data: string) => {
      if (reply.sent) return;
      reply.code(status).type('application/json; charset=utf-8');
      void reply.send(status >= 400 ? contractErrorBody(data) : data);
    },
    socket: reply.raw.socket,
    once: reply.raw.once.bind(reply.raw),
    on: reply.raw.on.bind(reply.raw),
    off: reply.raw.off.bind(reply.raw),
    emit: reply.raw.emit.bind(reply.raw),
    removeListener: reply.raw.removeListener.bind(reply.raw),
    get headersSent() {
      return reply.raw.headersSent;
    },
  };
}

/** trpc-to-openapi's body is `{...ourShape, code: trpcCode, message}`; our shape has the app code. */
function contractErrorBody(data: string): string {
  const body = JSON.parse(data) as {
    message?: string;
    data?: { code?: string; issues?: FieldIssue[] };
  };
  const issues = body.data?.issues;
  const first = issues?.[0];
  return JSON.stringify({
    code: body.data?.code ?? 'INTERNAL',
    // The library replaces a validation error's message with a generic one; restore ours.
    message: first ? `${first.path}: ${first.message}` : (body.message ?? 'error'),
    ...(issues ? { issues } : {}),
  });
}
