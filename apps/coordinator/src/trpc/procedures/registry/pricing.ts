import { ServiceIdInput, ServicePricingView } from '@aitbc/registry';
import { catalogPricing } from '../../../services/service-catalog.js';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const pricing = publicProcedure
  .meta(
    rest('GET', '/v1/registry/services/{id}/pricing', 'registry', "A service's pricing tiers", {
      protect: false,
      errorResponses: { 404: 'Unknown service' },
    }),
  )
  .input(ServiceIdInput)
  .output(ServicePricingView)
  .query(({ input }) => catalogPricing(input.id));
