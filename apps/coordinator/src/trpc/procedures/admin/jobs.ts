import { AdminJobPage, AdminJobsInput, LIMITS } from '@aitbc/contracts';
import { adminJobs } from '../../../services/admin-queries.js';
import { adminProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const jobs = adminProcedure
  .meta(rest('GET', '/v1/admin/jobs', 'admin', 'All jobs, newest first, with filters'))
  .input(AdminJobsInput)
  .output(AdminJobPage)
  .query(({ ctx, input }) =>
    adminJobs(ctx.services, {
      ...(input.state ? { state: input.state } : {}),
      ...(input.client_id ? { clientId: input.client_id } : {}),
      ...(input.miner_id ? { minerId: input.miner_id } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
      limit: input.limit ?? LIMITS.listDefault,
    }),
  );
