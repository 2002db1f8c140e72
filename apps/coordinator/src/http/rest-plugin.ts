import { AppError } from '@aitbc/contracts';
import { getTRPCErrorFromUnknown } from '@trpc/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../trpc/context.js';
import { toAppError } from '../trpc/errors.js';
import type { ProcedureMeta } from '../trpc/procedures/meta.js';
import type { AppRouter } from '../trpc/router.js';
import { type ProcedureDef, runProcedure } from './procedure-chain.js';

export interface RestRoutesOptions {
  router: AppRouter;
  createContext(req: FastifyRequest, callerGone: () => AbortSignal): RequestContext;
}

interface RestProcedure {
  path: string;
  type: 'query' | 'mutation';
  meta: ProcedureMeta;
  /** The procedure takes no input (`z.void()`). */
  voidInput: boolean;
  def: ProcedureDef;
}

/**
 * Serves every procedure that has `openapi` meta as a REST route, from the same metadata that
 * trpc-to-openapi turns into the OpenAPI document (so the document and the routes cannot differ).
 *
 * Why not trpc-to-openapi's own HTTP adapter: it coerces request *bodies* to the schema's types
 * (`"retryable": "false"` became `true`) by mutating the shared zod schemas in place, which then
 * changes tRPC validation too; it answers with tRPC codes instead of ours; and its generic routing
 * costs more per request than Fastify's router. Here input is `{...body or query, ...path params}`,
 * validated strictly by the procedure, and errors are the contract's `{code, message, issues}`.
 */
export function registerRestRoutes(app: FastifyInstance, opts: RestRoutesOptions): void {
  for (const procedure of restProcedures(opts.router)) {
    const route = procedure.meta.openapi!;
    app.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (request, reply) => {
        let gone: AbortSignal | undefined;
        const ctx = opts.createContext(request, () => (gone ??= callerGone(request, reply)));
        try {
          const source = route.method === 'GET' ? request.query : request.body;
          const input = procedure.voidInput ? undefined : mergeInput(source, request.params);
          // REST serves no subscriptions: procedures that wait read ctx.callerGone() instead.
          const data = await runProcedure(procedure.def, {
            ctx,
            type: procedure.type,
            path: procedure.path,
            input: undefined,
            getRawInput: async () => input,
            signal: undefined,
          });
          return reply
            .code(ctx.response.status ?? 200)
            .headers(ctx.response.headers)
            .send(data);
        } catch (cause) {
          const error = toAppError(getTRPCErrorFromUnknown(cause));
          if (error.code === 'INTERNAL') request.log.error({ err: cause }, 'internal error');
          return sendError(reply.headers(ctx.response.headers), error);
        }
      },
    });
  }
}

/**
 * A signal aborted when the caller leaves before its answer is written (aborting costs a
 * DOMException, so an answered call never aborts). Made only for procedures that ask for it.
 */
function callerGone(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  if (request.raw.socket.destroyed) abort.abort();
  else
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
  return abort.signal;
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  // Every 429 says when to come back; the rate limiter sets its own, other caps retry in 1 s.
  if (error.status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
  return reply.code(error.status).send({
    code: error.code,
    message: error.message,
    ...(error.issues ? { issues: error.issues } : {}),
  });
}

function restProcedures(router: AppRouter): RestProcedure[] {
  return Object.entries(router._def.procedures).flatMap(([path, procedure]) => {
    const def = (
      procedure as unknown as {
        _def: ProcedureDef & {
          type: RestProcedure['type'];
          meta?: ProcedureMeta;
          inputs: { _zod?: { def: { type: string } } }[];
        };
      }
    )._def;
    const voidInput = def.inputs.every((i) => i._zod?.def.type === 'void');
    return def.meta?.openapi ? [{ path, type: def.type, meta: def.meta, voidInput, def }] : [];
  });
}

/** Body (or query) fields plus path parameters. A body must be a JSON object, or absent. */
function mergeInput(source: unknown, params: unknown): Record<string, unknown> {
  if (source === undefined || source === null) return { ...(params as object) };
  if (typeof source !== 'object' || Array.isArray(source)) {
    throw new AppError('VALIDATION_FAILED', 'the body must be a JSON object', [
      { path: '(root)', message: 'expected a JSON object' },
    ]);
  }
  return { ...(source as object), ...(params as object) };
}
