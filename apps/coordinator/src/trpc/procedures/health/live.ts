import { HealthOutput } from '@aitbc/contracts';
import { z } from 'zod';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const live = publicProcedure
  .meta(rest('GET', '/v1/health', 'health', 'Liveness (no dependency checks)', { protect: false }))
  .input(z.void())
  .output(HealthOutput)
  .query(({ ctx }) => ({ status: 'ok' as const, env: ctx.services.config.appEnv }));
