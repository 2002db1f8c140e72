import { JobView, SubmitJobInput } from '@aitbc/contracts';
import { submitJob } from '../../../services/submit-job.js';
import { clientProcedure } from '../../trpc.js';
import { IdempotencyKeyHeader, idempotencyKeyOf, markReplay } from '../idempotency.js';
import { rest } from '../meta.js';

export const submit = clientProcedure
  .meta(
    rest('POST', '/v1/jobs', 'jobs', 'Submit a job', {
      description:
        "With `service` (a registry id) the payload is validated against that service's input " +
        "schema (issues at `payload.<field>`), its defaults are applied, and the service's " +
        'hardware needs for this request are merged into `constraints`; its run timeout applies ' +
        'unless `timeout_seconds` is given.',
      successStatus: 201,
      successDescription: 'Created (or, with Idempotent-Replayed: true, the original answer)',
      requestHeaders: IdempotencyKeyHeader,
      errorResponses: {
        400: 'Invalid input',
        401: 'No key',
        403: 'Not a client key',
        404: 'Unknown service',
        409: 'Idempotency key reused',
        429: 'RATE_LIMITED, or QUEUE_LIMIT: MAX_QUEUED_JOBS_PER_CLIENT of this client’s jobs are queued',
      },
    }),
  )
  .input(SubmitJobInput)
  .output(JobView)
  .mutation(async ({ ctx, input }) => {
    const { job, replayed } = await submitJob(
      ctx.services,
      ctx.principal.id,
      input,
      idempotencyKeyOf(ctx),
    );
    markReplay(ctx, replayed);
    return job;
  });
