import { FailJobInput, FailJobOutput } from '@aitbc/contracts';
import { failJob } from '../../../services/fail-job.js';
import { minerProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const fail = minerProcedure
  .meta(
    rest(
      'POST',
      '/v1/miners/{job_id}/fail',
      'miners',
      'Report a failure under the lease (retryable requeues)',
      {
        errorResponses: {
          404: 'Unknown job',
          409: 'LEASE_LOST: the lease no longer holds the job',
        },
      },
    ),
  )
  .input(FailJobInput)
  .output(FailJobOutput)
  .mutation(async ({ ctx, input }) => ({
    status: 'ok' as const,
    job_state: await failJob(ctx.services, ctx.principal.id, input),
  }));
