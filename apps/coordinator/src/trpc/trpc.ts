import { AppError } from '@aitbc/contracts';
import { initTRPC } from '@trpc/server';
import type { Principal, Role } from '../config/api-keys.js';
import { findUnstorableJson } from '../http/json-body.js';
import type { RequestContext } from './context.js';
import { toAppError, toTRPCError } from './errors.js';
import type { ProcedureMeta } from './procedures/meta.js';

export const API_KEY_SECURITY = 'ApiKey';

/**
 * Error shape for both transports: `data.code` is the app's machine-readable code, `data.issues`
 * the offending fields. Stack traces are never included.
 */
const t = initTRPC
  .context<RequestContext>()
  .meta<ProcedureMeta>()
  .create({
    isDev: false,
    // SSE subscriptions (GET /trpc/jobs.watch): a comment line every 10 s keeps proxies and the
    // server's connection timeout from closing a quiet stream; the client reconnects (with
    // Last-Event-ID) when it has heard nothing for 20 s.
    sse: {
      ping: { enabled: true, intervalMs: 10_000 },
      client: { reconnectAfterInactivityMs: 20_000 },
    },
    errorFormatter({ shape, error }) {
      const app = toAppError(error);
      return {
        code: shape.code,
        message: app.message,
        data: {
          code: app.code,
          httpStatus: app.status,
          path: shape.data.path,
          ...(app.issues ? { issues: app.issues } : {}),
        },
      };
    },
  });

export const router = t.router;

type Call = Pick<Parameters<Parameters<typeof t.middleware>[0]>[0], 'ctx' | 'type' | 'getRawInput'>;
type CallResult = { ok: true } | { ok: false; error: { cause?: unknown } };

/**
 * Every procedure runs exactly one middleware of ours, `screened` or `authorized` (tRPC copies
 * its options at each level of the chain, so the checks are not split over several): the
 * transport check and the JSON safety check of the raw input, then for `authorized` the role,
 * and on the way out AppError → TRPCError and the route's success status (201 for creations).
 */
async function screen({ ctx, type, getRawInput }: Call): Promise<void> {
  if (ctx.transport === 'ws' && type !== 'subscription')
    throw toTRPCError(
      new AppError(
        'METHOD_NOT_ALLOWED',
        'only subscriptions are served over WebSocket; call queries and mutations over HTTP',
      ),
    );
  // Every transport's input (REST body or query, tRPC body or ?input=) passes this one check.
  const problem = findUnstorableJson(await getRawInput());
  if (problem)
    throw toTRPCError(
      new AppError('MALFORMED_REQUEST', `${problem.path}: ${problem.message}`, [problem]),
    );
}

function settle<R extends CallResult>(
  ctx: RequestContext,
  meta: ProcedureMeta | undefined,
  result: R,
): R {
  if (!result.ok && result.error.cause instanceof AppError) throw toTRPCError(result.error.cause);
  if (result.ok && meta?.successStatus) ctx.response.status = meta.successStatus;
  return result;
}

/**
 * Function-level authorization, default deny: 401 without a known key, 403 when the key has no
 * role allowed here. The principal becomes `ctx.principal`, the caller's name for that role.
 */
function authorize(ctx: RequestContext, role: Role): Principal {
  if (ctx.authRefusal) throw toTRPCError(ctx.authRefusal);
  if (ctx.principals === null)
    throw toTRPCError(
      new AppError('UNAUTHENTICATED', 'send an API key in X-Api-Key or Authorization: Bearer'),
    );
  if (ctx.principals.length === 0)
    throw toTRPCError(new AppError('UNAUTHENTICATED', 'unknown API key'));
  const principal = ctx.principals.find((p) => p.role === role);
  if (!principal) throw toTRPCError(new AppError('FORBIDDEN', `this route needs a ${role} key`));
  return principal;
}

const screened = t.middleware(async (call) => {
  await screen(call);
  return settle(call.ctx, call.meta, await call.next());
});

const authorized = (role: Role) =>
  t.middleware(async (call) => {
    await screen(call);
    const principal = authorize(call.ctx, role);
    return settle(call.ctx, call.meta, await call.next({ ctx: { principal } }));
  });

export const publicProcedure = t.procedure.use(screened);
export const clientProcedure = t.procedure.use(authorized('client'));
export const minerProcedure = t.procedure.use(authorized('miner'));
export const adminProcedure = t.procedure.use(authorized('admin'));
