import { ServiceJobView } from '@aitbc/contracts';
import { FfmpegTranscodeRequest } from '@aitbc/registry';
import { clientProcedure } from '../../trpc.js';
import { submitTyped, typedRoute } from './typed-route.js';

export const ffmpegTranscode = clientProcedure
  .meta(typedRoute('ffmpeg/transcode'))
  .input(FfmpegTranscodeRequest)
  .output(ServiceJobView)
  .mutation(({ ctx, input }) => submitTyped(ctx, 'ffmpeg/transcode', input));
