import { TypedEndpointView } from '@aitbc/registry';
import { z } from 'zod';
import { typedEndpointList } from '../../../services/service-catalog.js';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const list = publicProcedure
  .meta(rest('GET', '/v1/services', 'services', 'The typed service endpoints', { protect: false }))
  .input(z.void())
  .output(z.object({ items: z.array(TypedEndpointView) }))
  .query(() => typedEndpointList());
