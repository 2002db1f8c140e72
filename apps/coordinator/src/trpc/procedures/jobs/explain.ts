import { ExplainJobOutput, SubmitJobInput } from '@aitbc/contracts';
import { explainJob } from '../../../services/explain-job.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const explain = clientProcedure
  .meta(
    rest('POST', '/v1/jobs/explain', 'jobs', 'Dry run of a submit: which miners could run it', {
      description:
        'Takes the body of POST /v1/jobs, plans it exactly as a submit would (same validation and ' +
        'errors, same effective constraints) and stores nothing. Counts the ONLINE miners that ' +
        'pass and fail each constraint; an Idempotency-Key is ignored.',
      errorResponses: { 400: 'Invalid input', 404: 'Unknown service' },
    }),
  )
  .input(SubmitJobInput)
  .output(ExplainJobOutput)
  .mutation(({ ctx, input }) => explainJob(ctx.services, input));
