import { JsonSchemaView, ServiceIdInput } from '@aitbc/registry';
import { catalogSchema } from '../../../services/service-catalog.js';
import { publicProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const schema = publicProcedure
  .meta(
    rest(
      'GET',
      '/v1/registry/services/{id}/schema',
      'registry',
      "JSON Schema (draft 2020-12) of a service's job payload",
      { protect: false, errorResponses: { 404: 'Unknown service' } },
    ),
  )
  .input(ServiceIdInput)
  .output(JsonSchemaView)
  .query(({ input }) => catalogSchema(input.id));
