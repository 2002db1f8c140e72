/**
 * `npm run demo`: the whole marketplace on this machine, then gone again. It starts the
 * coordinator on the embedded database (in a temporary directory), starts the miner agent, and a
 * client submits jobs through the client SDK — a plain job, a registry service job and one that
 * is canceled while it runs — printing every event of each job's stream as it happens (state
 * changes and the miner's progress reports), each result, and the
 * check of each receipt against the coordinator's published keys. Exits 0 when all went as
 * expected, 1 otherwise.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AitbcClient, createClient, type JobStreamEvent } from '@aitbc/client';
import { type Agent, createLogger, startAgent } from '@aitbc/miner-agent';
import { startCoordinator } from './coordinator.js';
import { startToyLlm } from './toy-llm.js';

const key = (prefix: string) => `${prefix}_demo_${randomBytes(12).toString('hex')}`;
const KEYS = { client: key('ck'), miner: key('mk'), admin: key('ak') };

/** `job 01a2…f3 (label)`: enough of the id to tell jobs apart in the timeline. */
const tag = (job: { job_id: string }, label: string) => `job …${job.job_id.slice(-6)} (${label})`;
const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Prints each event of a job's stream as `wait` receives it (jobs.watch): every transition, with
 * the miner and attempt, and the miner's progress reports.
 */
function timeline(label: string) {
  return (event: JobStreamEvent) => {
    const where = event.miner_id ? ` on ${event.miner_id}, attempt ${event.attempt}` : '';
    const detail =
      event.type === 'progress'
        ? ` ${event.progress}%${event.message ? ` (${event.message})` : ''}`
        : `${where}${event.receipt_id ? `, receipt ${event.receipt_id}` : ''}`;
    say(`  ${tag(event, label)}: #${event.event_id} ${event.type} → ${event.state}${detail}`);
  };
}

async function plainJob(client: AitbcClient): Promise<void> {
  const job = await client.submit({ payload: { text: 'hello, marketplace' } });
  const done = await client.wait(job.job_id, { timeoutMs: 30_000, onEvent: timeline('echo') });
  const { result, receipt } = await client.result(done.job_id);
  if (done.state !== 'COMPLETED' || !receipt) throw new Error(`${tag(job, 'echo')} ${done.state}`);
  const verified = await client.verifyReceipt(receipt);
  if (!verified.ok)
    throw new Error(`receipt ${receipt.receipt_id} did not verify: ${verified.reason}`);
  say(`  ${tag(job, 'echo')} result: ${JSON.stringify(result)}`);
  say(`  ${tag(job, 'echo')} receipt verified: ${receipt.receipt_id} signed by ${verified.keyId}`);
}

async function serviceJob(client: AitbcClient): Promise<void> {
  const label = 'llm_inference';
  const prompt = 'Explain GPU leasing in one sentence.';
  const { job, result, receipt, verification } = await client.run(
    'llm_inference',
    { model: 'llama-7b', prompt, max_tokens: 64 },
    { timeoutMs: 30_000, onEvent: timeline(label) },
  );
  const { text } = result as { text: string };
  say(`  ${tag(job, label)} result: ${text}`);
  say(
    `  ${tag(job, label)} billed ${receipt.units} ${receipt.unit_type}, price ${receipt.price ?? '-'} AITBC`,
  );
  say(
    `  ${tag(job, label)} receipt verified: ${receipt.receipt_id} signed by ${verification.keyId}`,
  );
}

/** The agent's runtime events, by type and job: `job_canceled:<job id>`. */
const minerEvents = new EventEmitter();

async function canceledJob(client: AitbcClient): Promise<void> {
  const label = 'canceled while running';
  const job = await client.submit({ payload: { sleep_ms: 20_000 } });
  const show = timeline(label);
  const canceling = new AbortController();
  const done = await client.wait(job.job_id, {
    timeoutMs: 30_000,
    onEvent: (event) => {
      show(event);
      // Once the miner has reported some progress, the client changes its mind.
      if (event.type === 'progress' && !canceling.signal.aborted) {
        canceling.abort();
        say(`  ${tag(job, label)}: the client cancels it`);
        void client.cancel(job.job_id);
      }
    },
  });
  if (done.state !== 'CANCELED') throw new Error(`${tag(job, label)} ended ${done.state}`);
  // The miner learns of it at once on its push channel, and its executor is aborted.
  await once(minerEvents, `job_canceled:${job.job_id}`, { signal: AbortSignal.timeout(15_000) });
  say(`  ${tag(job, label)}: the miner stopped working on it`);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aitbc-demo-'));
  const cleanups: (() => Promise<unknown> | unknown)[] = [
    () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  try {
    say('▶ starting the coordinator (embedded database)');
    const coordinator = await startCoordinator(dataDir, {
      CLIENT_API_KEYS: `demo-client:${KEYS.client}`,
      MINER_API_KEYS: `demo-miner:${KEYS.miner}`,
      ADMIN_API_KEYS: `demo-admin:${KEYS.admin}`,
    });
    cleanups.unshift(() => coordinator.stop());
    say(`  listening on ${coordinator.baseUrl}`);

    let llmBaseUrl = process.env.LLM_BASE_URL;
    if (!llmBaseUrl) {
      const toy = await startToyLlm();
      cleanups.unshift(() => toy.close());
      llmBaseUrl = toy.baseUrl;
      say(
        '  no LLM_BASE_URL: LLM jobs go to a toy stand-in model (set LLM_BASE_URL for Ollama/vLLM)',
      );
    }

    say(
      '▶ starting the miner agent (declaring a simulated RTX 4090, as this demo needs a GPU host)',
    );
    const agent: Agent = await startAgent(
      {
        url: coordinator.baseUrl,
        apiKey: KEYS.miner,
        concurrency: 2,
        gpus: [{ model: 'NVIDIA RTX 4090 (simulated)', vram_gb: 24 }],
        cuda: '12.4',
        llmBaseUrl,
        services: ['echo', 'llm_inference'],
        pollWaitSeconds: 5,
        resultsDir: join(dataDir, 'results'),
      },
      {
        logger: createLogger({ json: false, stdout: prefixed(), stderr: prefixed() }),
        onEvent: (event) => {
          if ('jobId' in event) minerEvents.emit(`${event.type}:${event.jobId}`, event);
        },
      },
    );
    cleanups.unshift(() => agent.stop({ graceMs: 5_000 }));

    say('▶ a client submits three jobs through the client SDK');
    const client = createClient({ baseUrl: coordinator.baseUrl, apiKey: KEYS.client });
    await Promise.all([plainJob(client), serviceJob(client), canceledJob(client)]);
    say('✔ every job ended as expected and every receipt verified');
  } finally {
    say('▶ shutting down');
    for (const cleanup of cleanups) await cleanup();
  }
}

/** The agent's log lines, indented under the demo's own. */
function prefixed() {
  return { write: (line: string) => process.stdout.write(`    miner │ ${line.slice(25)}`) };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `✘ demo failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
