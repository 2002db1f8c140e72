import { AdminMinerPage, AdminMinersInput, LIMITS } from '@aitbc/contracts';
import { adminMiners } from '../../../services/admin-queries.js';
import { adminProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const miners = adminProcedure
  .meta(rest('GET', '/v1/admin/miners', 'admin', 'Registered miners'))
  .input(AdminMinersInput)
  .output(AdminMinerPage)
  .query(({ ctx, input }) =>
    adminMiners(ctx.services, {
      ...(input.status ? { status: input.status } : {}),
      ...(input.cursor ? { cursor: input.cursor } : {}),
      limit: input.limit ?? LIMITS.listDefault,
    }),
  );
