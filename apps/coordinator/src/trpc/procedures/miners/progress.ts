import { ReportProgressInput, StatusOk } from '@aitbc/contracts';
import { reportProgress } from '../../../services/report-progress.js';
import { minerProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const progress = minerProcedure
  .meta(
    rest(
      'POST',
      '/v1/miners/{job_id}/progress',
      'miners',
      'Report progress (0–100, optional message) under the lease; extends the lease. At most two progress events per second per job reach watchers; the last report is always delivered.',
      {
        errorResponses: {
          404: 'Unknown job',
          409: 'LEASE_LOST: the lease no longer holds the job',
        },
      },
    ),
  )
  .input(ReportProgressInput)
  .output(StatusOk)
  .mutation(async ({ ctx, input }) => {
    await reportProgress(ctx.services, ctx.principal.id, input);
    return { status: 'ok' as const };
  });
