import { JobPage, LIMITS, ListJobsInput } from '@aitbc/contracts';
import { listOwnJobs } from '../../../services/job-queries.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const list = clientProcedure
  .meta(rest('GET', '/v1/jobs', 'jobs', 'Your jobs, newest first'))
  .input(ListJobsInput)
  .output(JobPage)
  .query(({ ctx, input }) =>
    listOwnJobs(ctx.services, ctx.principal.id, {
      ...input,
      limit: input.limit ?? LIMITS.listDefault,
    }),
  );
