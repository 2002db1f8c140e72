import { ServiceJobView } from '@aitbc/contracts';
import { BlenderRenderRequest } from '@aitbc/registry';
import { clientProcedure } from '../../trpc.js';
import { submitTyped, typedRoute } from './typed-route.js';

export const blenderRender = clientProcedure
  .meta(typedRoute('blender/render'))
  .input(BlenderRenderRequest)
  .output(ServiceJobView)
  .mutation(({ ctx, input }) => submitTyped(ctx, 'blender/render', input));
