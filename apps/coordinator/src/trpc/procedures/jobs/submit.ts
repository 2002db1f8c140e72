import { AppError, JobView, LIMITS, SubmitJobInput } from '@aitbc/contracts';
import { z } from 'zod';
import { submitJob } from '../../../services/submit-job.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const submit = clientProcedure
  .meta(
    rest('POST', '/v1/jobs', 'jobs', 'Submit a job', {
      successStatus: 201,
      successDescription: 'Created (or, with Idempotent-Replayed: true, the original answer)',
      requestHeaders: z.object({
        'Idempotency-Key': z.string().max(LIMITS.idempotencyKeyMaxLength).optional(),
      }),
      errorResponses: {
        400: 'Invalid input',
        401: 'No key',
        403: 'Not a client key',
        409: 'Idempotency key reused',
      },
    }),
  )
  .input(SubmitJobInput)
  .output(JobView)
  .mutation(async ({ ctx, input }) => {
    const key = ctx.header('idempotency-key') ?? null;
    if (key !== null && (key.length === 0 || key.length > LIMITS.idempotencyKeyMaxLength)) {
      throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1-255 characters', [
        { path: 'Idempotency-Key', message: 'must be 1-255 characters' },
      ]);
    }
    const { job, replayed } = await submitJob(ctx.services, ctx.principal.id, input, key);
    if (replayed) ctx.response.headers['Idempotent-Replayed'] = 'true';
    return job;
  });
