import type { ServiceJobView } from '@aitbc/contracts';
import { getTypedEndpoint, type TypedServiceName } from '@aitbc/registry';
import type { ServiceContext } from './context.js';
import { submitJob } from './submit-job.js';

/**
 * A typed service request (POST /v1/services/…) becomes an ordinary job of its registry service,
 * through the same submit as POST /v1/jobs: the request is the payload, and the service's plan
 * gives the constraints, run timeout and estimated price. Idempotency works the same way.
 */
export async function submitTypedRequest(
  ctx: ServiceContext,
  clientId: string,
  name: TypedServiceName,
  request: Record<string, unknown>,
  idempotencyKey: string | null,
): Promise<{ job: ServiceJobView; replayed: boolean }> {
  const endpoint = getTypedEndpoint(name);
  if (!endpoint) throw new Error(`no typed endpoint ${name}`);
  const { job, replayed } = await submitJob(
    ctx,
    clientId,
    { service: endpoint.registryId, payload: request },
    idempotencyKey,
  );
  return {
    job: {
      job_id: job.job_id,
      service: endpoint.registryId,
      state: job.state,
      expires_at: job.expires_at,
      estimated_price: job.estimated_price,
    },
    replayed,
  };
}
