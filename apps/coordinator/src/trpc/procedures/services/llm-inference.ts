import { ServiceJobView } from '@aitbc/contracts';
import { LlmInferenceRequest } from '@aitbc/registry';
import { clientProcedure } from '../../trpc.js';
import { submitTyped, typedRoute } from './typed-route.js';

export const llmInference = clientProcedure
  .meta(typedRoute('llm/inference'))
  .input(LlmInferenceRequest)
  .output(ServiceJobView)
  .mutation(({ ctx, input }) => submitTyped(ctx, 'llm/inference', input));
