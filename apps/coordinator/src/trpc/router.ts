import { clientView } from './client-view.js';
import {
  jobs as adminJobs,
  miners as adminMiners,
  events,
  stats,
} from './procedures/admin/index.js';
import { live, ready } from './procedures/health/index.js';
import * as jobs from './procedures/jobs/index.js';
import * as miners from './procedures/miners/index.js';
import { keys } from './procedures/receipts/keys.js';
import * as registry from './procedures/registry/index.js';
import * as services from './procedures/services/index.js';
import { router } from './trpc.js';

/** Every procedure; the REST routes are the same procedures, through their `openapi` meta. */
export const appRouter = router({
  health: router({ live, ready }),
  jobs: router({ ...jobs }),
  miners: router({ ...miners }),
  admin: router({ stats, jobs: adminJobs, miners: adminMiners, events }),
  receipts: router({ keys }),
  registry: router({ ...registry }),
  services: router({ ...services }),
});

const clientRouter = clientView(appRouter);

/** The router's type for clients (the SDKs): see clientView. The server uses `typeof appRouter`. */
export type AppRouter = typeof clientRouter;
