import { HeartbeatInput, HeartbeatOutput } from '@aitbc/contracts';
import { heartbeat as beat } from '../../../services/miner-registry.js';
import { minerProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const heartbeat = minerProcedure
  .meta(
    rest(
      'POST',
      '/v1/miners/heartbeat',
      'miners',
      'Sign of life; extends leases; lists canceled jobs',
      {
        errorResponses: { 409: 'MINER_NOT_REGISTERED' },
      },
    ),
  )
  .input(HeartbeatInput)
  .output(HeartbeatOutput)
  .mutation(({ ctx, input }) => beat(ctx.services, ctx.principal.id, input.metadata));
