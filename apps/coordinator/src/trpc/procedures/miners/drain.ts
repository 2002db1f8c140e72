import { DrainInput, DrainOutput } from '@aitbc/contracts';
import { drainMiner } from '../../../services/miner-registry.js';
import { minerProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const drain = minerProcedure
  .meta(
    rest('POST', '/v1/miners/drain', 'miners', 'Stop receiving jobs; finish the ones held', {
      errorResponses: { 409: 'MINER_NOT_REGISTERED' },
    }),
  )
  .input(DrainInput)
  .output(DrainOutput)
  .mutation(({ ctx }) => drainMiner(ctx.services, ctx.principal.id));
