import type { AitbcClient, JobStreamEvent, JobView, SubmitJobInput } from '@aitbc/client';
import { CliError, EXIT } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { eventLine, jobFields, jobLine, receiptFields, resultText } from '../render.js';
import { startSpinner } from '../spinner.js';
import { renderTable } from '../table.js';
import { type Args, allowOnly, jsonArg, numberArg, type OPTIONS, oneId } from './args.js';
import { verifyCommand } from './verify.js';

export const JOBS_USAGE = `aitbc jobs <command>
  submit [--service ID] [--payload JSON | --payload-file FILE|-] [--gpu G] [--min-vram GB]
         [--cuda V] [--model M]... [--region R] [--max-price P] [--constraints JSON]
         [--priority N] [--ttl S] [--run-timeout S] [--max-attempts N]
         [--idempotency-key K] [--wait [--timeout S]]
  get <job-id>                 the job, and its result once it has ended
  list [--state S] [--limit N] [--all]
  cancel <job-id>
  wait <job-id> [--timeout S]  until the job ends; exit 6 unless it COMPLETED, 7 on timeout
  watch <job-id>               print each event of the job as it happens (JSON lines with --json)
  receipt <job-id> [--all]     the signed receipt(s), verified against the published keys
  verify <file|->  [--keys JWKS-FILE]   a receipt (or a /result answer); offline with --keys`;

/** The flags each jobs command takes. */
const FLAGS = {
  submit: [
    'service',
    'payload',
    'payload-file',
    'constraints',
    'gpu',
    'min-vram',
    'cuda',
    'model',
    'region',
    'max-price',
    'priority',
    'ttl',
    'run-timeout',
    'max-attempts',
    'idempotency-key',
    'wait',
    'timeout',
  ],
  get: [],
  list: ['state', 'limit', 'all'],
  cancel: [],
  wait: ['timeout'],
  watch: [],
  receipt: ['all'],
  verify: ['keys'],
} as const satisfies Record<string, readonly (keyof typeof OPTIONS)[]>;

export async function jobsCommand(
  ctx: CommandContext,
  command: string,
  args: Args,
): Promise<number> {
  if (command in FLAGS) allowOnly(args, `jobs ${command}`, FLAGS[command as keyof typeof FLAGS]);
  switch (command) {
    case 'submit':
      return submit(ctx, args);
    case 'get':
      return get(ctx, oneId(args, 'job-id'));
    case 'list':
      return list(ctx, args);
    case 'cancel': {
      const job = await ctx.client('client').cancel(oneId(args, 'job-id'));
      ctx.print(jobLine(job), job);
      return EXIT.OK;
    }
    case 'wait':
      return wait(ctx, ctx.client('client'), oneId(args, 'job-id'), args);
    case 'watch':
      return watch(ctx, oneId(args, 'job-id'));
    case 'receipt':
      return receipt(ctx, oneId(args, 'job-id'), args);
    case 'verify':
      return verifyCommand(ctx, args);
    default:
      throw new CliError(EXIT.USAGE, `unknown command "jobs ${command}"\n${JOBS_USAGE}`);
  }
}

async function submit(ctx: CommandContext, args: Args): Promise<number> {
  const client = ctx.client('client');
  const input = await submitInput(ctx, args);
  const key = args.values['idempotency-key'];
  const job = await client.submit(input, key ? { idempotencyKey: key } : {});
  if (!args.values.wait) {
    ctx.print(jobLine(job), job);
    return EXIT.OK;
  }
  return wait(ctx, client, job.job_id, args);
}

async function submitInput(ctx: CommandContext, args: Args): Promise<SubmitJobInput> {
  const v = args.values;
  if (v.payload !== undefined && v['payload-file'] !== undefined)
    throw new CliError(EXIT.USAGE, 'give --payload or --payload-file, not both');
  const payloadText =
    v['payload-file'] !== undefined ? await ctx.io.readInput(v['payload-file']) : v.payload;
  const constraints: Record<string, unknown> = v.constraints
    ? jsonArg('--constraints', v.constraints)
    : {};
  if (v.gpu !== undefined) constraints.gpu = v.gpu;
  if (v['min-vram'] !== undefined) constraints.min_vram_gb = numberArg('--min-vram', v['min-vram']);
  if (v.cuda !== undefined) constraints.cuda = v.cuda;
  if (v.model !== undefined) constraints.models = v.model;
  if (v.region !== undefined) constraints.region = v.region;
  if (v['max-price'] !== undefined)
    constraints.max_price = numberArg('--max-price', v['max-price']);
  const input: Record<string, unknown> = {
    payload: payloadText === undefined ? {} : jsonArg('--payload', payloadText),
  };
  if (v.service !== undefined) input.service = v.service;
  if (Object.keys(constraints).length > 0) input.constraints = constraints;
  if (v.priority !== undefined) input.priority = numberArg('--priority', v.priority);
  if (v.ttl !== undefined) input.ttl_seconds = numberArg('--ttl', v.ttl);
  if (v['run-timeout'] !== undefined)
    input.timeout_seconds = numberArg('--run-timeout', v['run-timeout']);
  if (v['max-attempts'] !== undefined)
    input.max_attempts = numberArg('--max-attempts', v['max-attempts']);
  // The coordinator validates the rest and names the field at fault.
  return input as SubmitJobInput;
}

async function get(ctx: CommandContext, jobId: string): Promise<number> {
  const client = ctx.client('client');
  const job = await client.get(jobId);
  const ended = job.completed_at !== null;
  const outcome = ended ? await client.result(jobId) : null;
  const human = outcome ? `${jobFields(job)}\n\nresult:\n${resultText(outcome)}` : jobFields(job);
  ctx.print(human, outcome ? { ...job, result: outcome.result } : job);
  return EXIT.OK;
}

async function list(ctx: CommandContext, args: Args): Promise<number> {
  const client = ctx.client('client');
  const limit = args.values.limit === undefined ? 20 : numberArg('--limit', args.values.limit);
  const filter = { ...(args.values.state ? { state: args.values.state } : {}) };
  const jobs: JobView[] = [];
  if (args.values.all) {
    for await (const job of client.list(filter as never)) jobs.push(job);
  } else {
    jobs.push(...(await client.listPage({ ...filter, limit } as never)).items);
  }
  const table = renderTable(jobs, [
    { header: 'JOB', value: (j) => j.job_id },
    { header: 'STATE', value: (j) => j.state },
    { header: 'SERVICE', value: (j) => j.service ?? '-' },
    { header: 'ATTEMPT', value: (j) => String(j.attempt) },
    { header: 'REQUESTED', value: (j) => j.requested_at },
  ]);
  ctx.print(jobs.length === 0 ? 'no jobs' : table, jobs);
  return EXIT.OK;
}

async function wait(
  ctx: CommandContext,
  client: AitbcClient,
  jobId: string,
  args: Args,
): Promise<number> {
  const timeout = args.values.timeout;
  const spinner = startSpinner(
    `job ${jobId}: waiting`,
    ctx.io.stderr,
    !ctx.json && ctx.io.stderr.isTTY === true,
  );
  let job: JobView;
  try {
    job = await client.wait(jobId, {
      ...(timeout !== undefined ? { timeoutMs: numberArg('--timeout', timeout) * 1000 } : {}),
      onUpdate: (update) => spinner.update(jobLine(update)),
    });
  } finally {
    spinner.stop();
  }
  const outcome = await client.result(jobId);
  const human =
    job.state === 'COMPLETED' ? `${jobLine(job)}\n${resultText(outcome)}` : jobLine(job);
  ctx.print(human, { ...job, result: outcome.result, receipt: outcome.receipt });
  return job.state === 'COMPLETED' ? EXIT.OK : EXIT.JOB_UNSUCCESSFUL;
}

/** Streams the job's events (jobs.watch) until its terminal one; the exit code is wait's. */
async function watch(ctx: CommandContext, jobId: string): Promise<number> {
  let last: JobStreamEvent | undefined;
  for await (const event of ctx.client('client').watch(jobId)) {
    last = event;
    ctx.io.stdout.write(ctx.json ? `${JSON.stringify(event)}\n` : `${eventLine(event)}\n`);
  }
  return last?.type === 'completed' ? EXIT.OK : EXIT.JOB_UNSUCCESSFUL;
}

async function receipt(ctx: CommandContext, jobId: string, args: Args): Promise<number> {
  const client = ctx.client('client');
  const receipts = args.values.all
    ? (await client.receipts(jobId, { limit: 100 })).items
    : [await client.receipt(jobId)];
  const checked = await Promise.all(
    receipts.map(async (r) => ({ receipt: r, verification: await client.verifyReceipt(r) })),
  );
  const human = checked.map((c) => receiptFields(c.receipt, c.verification)).join('\n\n');
  ctx.print(human, args.values.all ? receipts : receipts[0]);
  return checked.every((c) => c.verification.ok) ? EXIT.OK : EXIT.RECEIPT_INVALID;
}
