import { getTypedEndpoint, type TypedServiceName } from '@aitbc/registry';
import { submitTypedRequest } from '../../../services/submit-typed-request.js';
import type { RequestContext } from '../../context.js';
import { IdempotencyKeyHeader, idempotencyKeyOf, markReplay } from '../idempotency.js';
import { type ProcedureMeta, rest } from '../meta.js';

/** The REST route of a typed endpoint, from the registry's endpoint table. */
export function typedRoute(name: TypedServiceName): ProcedureMeta {
  const endpoint = getTypedEndpoint(name);
  if (!endpoint) throw new Error(`no typed endpoint ${name}`);
  return rest('POST', endpoint.path as `/v1/${string}`, 'services', endpoint.description, {
    description:
      `Creates a job of the registry service \`${endpoint.registryId}\` with the constraints, ` +
      'run timeout and estimated price this request needs (see /v1/registry/services/' +
      `${endpoint.registryId}). Accepts an Idempotency-Key like POST /v1/jobs.`,
    successStatus: 201,
    successDescription: 'Created (or, with Idempotent-Replayed: true, the original answer)',
    requestHeaders: IdempotencyKeyHeader,
    errorResponses: {
      400: 'Invalid request',
      401: 'No key',
      403: 'Not a client key',
      409: 'Idempotency key reused',
      429: 'RATE_LIMITED, or QUEUE_LIMIT: MAX_QUEUED_JOBS_PER_CLIENT of this client’s jobs are queued',
    },
  });
}

/** The body of every typed endpoint: submit the validated request as a job of its service. */
export async function submitTyped(
  ctx: RequestContext & { principal: { id: string } },
  name: TypedServiceName,
  request: Record<string, unknown>,
) {
  const { job, replayed } = await submitTypedRequest(
    ctx.services,
    ctx.principal.id,
    name,
    request,
    idempotencyKeyOf(ctx),
  );
  markReplay(ctx, replayed);
  return job;
}
