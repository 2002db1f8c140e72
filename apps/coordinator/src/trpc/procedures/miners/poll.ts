import { PollInput, PollOutput } from '@aitbc/contracts';
import { pollForJob } from '../../../services/poll-for-job.js';
import { minerProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

/** Default wait of a long poll (contract §4). */
const DEFAULT_WAIT_SECONDS = 15;

export const poll = minerProcedure
  .meta(
    rest(
      'POST',
      '/v1/miners/poll',
      'miners',
      'Long-poll for a matching job (answers {job: null} on timeout)',
      {
        errorResponses: {
          409: 'MINER_NOT_REGISTERED',
          429: 'RATE_LIMITED: over budget, or MAX_LONG_POLLS_PER_MINER polls already open',
        },
      },
    ),
  )
  .input(PollInput)
  .output(PollOutput)
  .mutation(async ({ ctx, input }) => ({
    job: await pollForJob(
      ctx.services,
      ctx.principal.id,
      input.max_wait_seconds ?? DEFAULT_WAIT_SECONDS,
      ctx.callerGone(),
    ),
  }));
