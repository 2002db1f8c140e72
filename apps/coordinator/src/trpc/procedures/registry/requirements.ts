import { ServiceIdInput, ServiceRequirementsView } from '@aitbc/registry';
import { catalogRequirements } from '../../../services/service-catalog.js';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const requirements = publicProcedure
  .meta(
    rest(
      'GET',
      '/v1/registry/services/{id}/requirements',
      'registry',
      "A service's hardware requirements (GPU, VRAM and CUDA become job constraints)",
      { protect: false, errorResponses: { 404: 'Unknown service' } },
    ),
  )
  .input(ServiceIdInput)
  .output(ServiceRequirementsView)
  .query(({ input }) => catalogRequirements(input.id));
