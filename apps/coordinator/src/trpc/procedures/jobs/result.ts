import { JobIdInput, JobResultView } from '@aitbc/contracts';
import { getJobResult } from '../../../services/job-queries.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const result = clientProcedure
  .meta(
    rest('GET', '/v1/jobs/{job_id}/result', 'jobs', 'Result, error and receipt of a finished job', {
      errorResponses: { 404: 'Unknown job', 409: 'JOB_NOT_READY: not terminal yet' },
    }),
  )
  .input(JobIdInput)
  .output(JobResultView)
  .query(({ ctx, input }) => getJobResult(ctx.services, ctx.principal.id, input.job_id));
