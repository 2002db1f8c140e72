import { JobIdInput, Receipt } from '@aitbc/contracts';
import { getJobReceipt } from '../../../services/job-queries.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const receipt = clientProcedure
  .meta(
    rest('GET', '/v1/jobs/{job_id}/receipt', 'jobs', 'The latest signed receipt of a job', {
      errorResponses: { 404: 'Unknown job or no receipt yet' },
    }),
  )
  .input(JobIdInput)
  .output(Receipt)
  .query(({ ctx, input }) => getJobReceipt(ctx.services, ctx.principal.id, input.job_id));
