import { AppError, ReadyOutput } from '@aitbc/contracts';
import { z } from 'zod';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const ready = publicProcedure
  .meta(
    rest('GET', '/v1/health/ready', 'health', 'Readiness: the database answers and is migrated', {
      protect: false,
      errorResponses: { 503: 'Not ready' },
    }),
  )
  .input(z.void())
  .output(ReadyOutput)
  .query(async ({ ctx }) => {
    if (!(await ctx.services.db.isReady())) throw new AppError('NOT_READY', 'database not ready');
    return { status: 'ready' as const, database: 'ok' as const };
  });
