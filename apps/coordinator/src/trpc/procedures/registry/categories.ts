import { CategoryCount } from '@aitbc/registry';
import { z } from 'zod';
import { catalogCategories } from '../../../services/service-catalog.js';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const categories = publicProcedure
  .meta(
    rest('GET', '/v1/registry/categories', 'registry', 'The six categories with their counts', {
      protect: false,
    }),
  )
  .input(z.void())
  .output(z.object({ items: z.array(CategoryCount) }))
  .query(() => catalogCategories());
