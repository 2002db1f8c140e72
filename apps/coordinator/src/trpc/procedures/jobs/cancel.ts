import { JobIdInput, JobView } from '@aitbc/contracts';
import { cancelJob } from '../../../services/cancel-job.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const cancel = clientProcedure
  .meta(
    rest('POST', '/v1/jobs/{job_id}/cancel', 'jobs', 'Cancel a queued or running job', {
      errorResponses: { 404: 'Unknown job', 409: 'JOB_TERMINAL: already finished' },
    }),
  )
  .input(JobIdInput)
  .output(JobView)
  .mutation(({ ctx, input }) => cancelJob(ctx.services, ctx.principal.id, input.job_id));
