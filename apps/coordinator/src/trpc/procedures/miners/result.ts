import { SubmitResultInput, SubmitResultOutput } from '@aitbc/contracts';
import { completeJob } from '../../../services/complete-job.js';
import { minerProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const result = minerProcedure
  .meta(
    rest(
      'POST',
      '/v1/miners/{job_id}/result',
      'miners',
      'Complete a job under its lease; returns the signed receipt',
      {
        errorResponses: {
          404: 'Unknown job',
          409: 'LEASE_LOST: the lease no longer holds the job',
        },
      },
    ),
  )
  .input(SubmitResultInput)
  .output(SubmitResultOutput)
  .mutation(async ({ ctx, input }) => ({
    status: 'ok' as const,
    receipt: await completeJob(ctx.services, ctx.principal.id, input),
  }));
