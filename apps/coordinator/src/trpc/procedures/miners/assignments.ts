import { pushAssignments } from '../../../services/push-assignments.js';
import { minerProcedure } from '../../trpc.js';

/**
 * The miner's push channel (contract §7a), a subscription over SSE (`GET
 * /trpc/miners.assignments`) or WebSocket: `{type: "job", job}` as jobs are claimed for it,
 * `{type: "cancel", job_id}` as its running jobs are canceled. One per miner: a new one replaces
 * the old. Not a REST route (subscriptions have no OpenAPI form).
 */
export const assignments = minerProcedure.subscription(({ ctx, signal }) =>
  pushAssignments(ctx.services, ctx.principal.id, signal),
);
