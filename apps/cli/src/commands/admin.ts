import { CliError, EXIT } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { renderFields, renderTable } from '../table.js';
import { type Args, allowOnly, numberArg } from './args.js';

export const ADMIN_USAGE = `aitbc admin stats
aitbc admin jobs [--state S] [--client NAME] [--miner ID] [--limit N]
aitbc admin miners [--status ONLINE|DRAINING|OFFLINE] [--limit N]`;

/** Operator views (admin key): counts, every client's jobs, the miners and their load. */
export async function adminCommand(
  ctx: CommandContext,
  command: string,
  args: Args,
): Promise<number> {
  const trpc = ctx.client('admin').trpc;
  const limit = args.values.limit === undefined ? 20 : numberArg('--limit', args.values.limit);
  switch (command) {
    case 'stats': {
      allowOnly(args, 'admin stats', []);
      const stats = await trpc.admin.stats.query();
      const byState = Object.entries(stats.jobs_by_state).map(([k, v]) => `${k} ${v}`);
      const byStatus = Object.entries(stats.miners_by_status).map(([k, v]) => `${k} ${v}`);
      const human = renderFields([
        ['jobs', `${stats.total_jobs} (${byState.join(', ')})`],
        ['queue depth', String(stats.queue_depth)],
        ['miners', byStatus.join(', ')],
        [
          'avg job',
          stats.avg_job_duration_ms === null ? '-' : `${Math.round(stats.avg_job_duration_ms)} ms`,
        ],
        ['receipts', String(stats.receipts_issued)],
      ]);
      ctx.print(human, stats);
      return EXIT.OK;
    }
    case 'jobs': {
      allowOnly(args, 'admin jobs', ['state', 'client', 'miner', 'limit']);
      const { state, client, miner } = args.values;
      const { items } = await trpc.admin.jobs.query({
        limit,
        ...(state ? { state: state as never } : {}),
        ...(client ? { client_id: client } : {}),
        ...(miner ? { miner_id: miner } : {}),
      });
      const table = renderTable(items, [
        { header: 'JOB', value: (j) => j.job_id },
        { header: 'CLIENT', value: (j) => j.client_id },
        { header: 'STATE', value: (j) => j.state },
        { header: 'SERVICE', value: (j) => j.service ?? '-' },
        { header: 'MINER', value: (j) => j.assigned_miner_id ?? '-' },
        { header: 'REQUESTED', value: (j) => j.requested_at },
      ]);
      ctx.print(items.length === 0 ? 'no jobs' : table, items);
      return EXIT.OK;
    }
    case 'miners': {
      allowOnly(args, 'admin miners', ['status', 'limit']);
      const { status } = args.values;
      const { items } = await trpc.admin.miners.query({
        limit,
        ...(status ? { status: status as never } : {}),
      });
      const table = renderTable(items, [
        { header: 'MINER', value: (m) => m.miner_id },
        { header: 'STATUS', value: (m) => m.status },
        { header: 'LOAD', value: (m) => `${m.inflight}/${m.concurrency}` },
        { header: 'GPUS', value: (m) => m.capabilities.gpus.map((g) => g.model).join(', ') || '-' },
        { header: 'DONE', value: (m) => String(m.jobs_completed) },
        { header: 'FAILED', value: (m) => String(m.jobs_failed) },
        { header: 'LAST SEEN', value: (m) => m.last_heartbeat ?? '-' },
      ]);
      ctx.print(items.length === 0 ? 'no miners' : table, items);
      return EXIT.OK;
    }
    default:
      throw new CliError(EXIT.USAGE, `unknown command "admin ${command}"\n${ADMIN_USAGE}`);
  }
}
