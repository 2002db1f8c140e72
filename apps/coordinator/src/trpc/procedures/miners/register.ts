import { RegisterMinerInput, RegisterMinerOutput } from '@aitbc/contracts';
import { registerMiner } from '../../../services/miner-registry.js';
import { minerProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const register = minerProcedure
  .meta(
    rest(
      'POST',
      '/v1/miners/register',
      'miners',
      'Register (or update) this miner; makes it ONLINE',
    ),
  )
  .input(RegisterMinerInput)
  .output(RegisterMinerOutput)
  .mutation(({ ctx, input }) => registerMiner(ctx.services, ctx.principal.id, input));
