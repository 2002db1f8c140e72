import { JobIdInput, JobView } from '@aitbc/contracts';
import { getJob } from '../../../services/job-queries.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const get = clientProcedure
  .meta(
    rest('GET', '/v1/jobs/{job_id}', 'jobs', 'One of your jobs', {
      errorResponses: { 404: 'Unknown job' },
    }),
  )
  .input(JobIdInput)
  .output(JobView)
  .query(({ ctx, input }) => getJob(ctx.services, ctx.principal.id, input.job_id));
