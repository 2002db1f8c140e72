import { ListServicesQuery, ServiceView } from '@aitbc/registry';
import { z } from 'zod';
import { listCatalog } from '../../../services/service-catalog.js';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const list = publicProcedure
  .meta(
    rest('GET', '/v1/registry/services', 'registry', 'Registry services, by category or search', {
      protect: false,
      description:
        '`search` holds whitespace-separated terms; each must occur (case-insensitively) in the ' +
        'id, name, description or a tag.',
    }),
  )
  .input(ListServicesQuery)
  .output(z.object({ items: z.array(ServiceView) }))
  .query(({ input }) => listCatalog(input));
