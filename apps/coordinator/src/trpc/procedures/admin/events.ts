import { WatchAllInput } from '@aitbc/contracts';
import { tracked } from '@trpc/server';
import { watchAllJobs } from '../../../services/watch-events.js';
import { adminProcedure } from '../../trpc.js';
import { LastEventIdField, resumeAfter } from '../resumable.js';

/** admin.events (subscription): every job's events from now on, or after `last_event_id`. */
export const events = adminProcedure
  .input(WatchAllInput.extend(LastEventIdField))
  .subscription(async function* ({ ctx, input, signal }) {
    for await (const event of watchAllJobs(ctx.services, resumeAfter(input), signal))
      yield tracked(event.event_id, event);
  });
