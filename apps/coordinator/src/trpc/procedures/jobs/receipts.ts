import { LIMITS, ListReceiptsInput, ReceiptPage } from '@aitbc/contracts';
import { listJobReceipts } from '../../../services/job-queries.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const receipts = clientProcedure
  .meta(
    rest('GET', '/v1/jobs/{job_id}/receipts', 'jobs', 'Every receipt of a job, oldest first', {
      errorResponses: { 404: 'Unknown job' },
    }),
  )
  .input(ListReceiptsInput)
  .output(ReceiptPage)
  .query(({ ctx, input }) =>
    listJobReceipts(
      ctx.services,
      ctx.principal.id,
      input.job_id,
      input.limit ?? LIMITS.listDefault,
      input.cursor,
    ),
  );
