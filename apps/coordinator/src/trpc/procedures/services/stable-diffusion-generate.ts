import { ServiceJobView } from '@aitbc/contracts';
import { StableDiffusionRequest } from '@aitbc/registry';
import { clientProcedure } from '../../trpc.js';
import { submitTyped, typedRoute } from './typed-route.js';

export const stableDiffusionGenerate = clientProcedure
  .meta(typedRoute('stable-diffusion/generate'))
  .input(StableDiffusionRequest)
  .output(ServiceJobView)
  .mutation(({ ctx, input }) => submitTyped(ctx, 'stable-diffusion/generate', input));
