import { StatsOutput } from '@aitbc/contracts';
import { z } from 'zod';
import { adminStats } from '../../../services/admin-queries.js';
import { adminProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const stats = adminProcedure
  .meta(rest('GET', '/v1/admin/stats', 'admin', 'Counts of jobs and miners'))
  .input(z.void())
  .output(StatsOutput)
  .query(({ ctx }) => adminStats(ctx.services));
