import { ServiceIdInput, ServiceView } from '@aitbc/registry';
import { catalogEntry } from '../../../services/service-catalog.js';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const get = publicProcedure
  .meta(
    rest('GET', '/v1/registry/services/{id}', 'registry', 'One registry service', {
      protect: false,
      errorResponses: { 404: 'Unknown service' },
    }),
  )
  .input(ServiceIdInput)
  .output(ServiceView)
  .query(({ input }) => catalogEntry(input.id));
