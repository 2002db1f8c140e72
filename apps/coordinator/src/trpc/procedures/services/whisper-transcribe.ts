import { ServiceJobView } from '@aitbc/contracts';
import { WhisperTranscribeRequest } from '@aitbc/registry';
import { clientProcedure } from '../../trpc.js';
import { submitTyped, typedRoute } from './typed-route.js';

export const whisperTranscribe = clientProcedure
  .meta(typedRoute('whisper/transcribe'))
  .input(WhisperTranscribeRequest)
  .output(ServiceJobView)
  .mutation(({ ctx, input }) => submitTyped(ctx, 'whisper/transcribe', input));
