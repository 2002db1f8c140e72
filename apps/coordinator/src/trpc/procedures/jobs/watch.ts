import { WatchJobInput } from '@aitbc/contracts';
import { tracked } from '@trpc/server';
import { assertOwnJob, watchJob } from '../../../services/watch-events.js';
import { clientProcedure } from '../../trpc.js';
import { LastEventIdField, resumeAfter } from '../resumable.js';

/**
 * jobs.watch (subscription; SSE at GET /trpc/jobs.watch, or WebSocket at /trpc): one of your
 * jobs' events, each `tracked` by its event id so a reconnect resumes after the last one seen.
 * Not a REST route: trpc-to-openapi does not expose subscriptions (README lists it).
 */
export const watch = clientProcedure
  .input(WatchJobInput.extend(LastEventIdField))
  .subscription(async ({ ctx, input, signal }) => {
    await assertOwnJob(ctx.services, ctx.principal.id, input.job_id);
    return (async function* () {
      for await (const event of watchJob(ctx.services, input.job_id, resumeAfter(input), signal))
        yield tracked(event.event_id, event);
    })();
  });
