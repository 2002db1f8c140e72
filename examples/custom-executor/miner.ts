/**
 * A custom miner in a few lines: one executor for jobs without a service, which reverses the
 * payload's `text`. From the repository root, with a coordinator running:
 *
 *   BASE=http://127.0.0.1:8011 MINER_KEY=mk_dev_… node --conditions=source --import tsx examples/custom-executor/miner.ts [--once]
 *
 * `--once` exits (0) after the first job it reports on. Ctrl-C (or SIGTERM) drains: no new jobs,
 * the running ones finish, then it exits 0; a second Ctrl-C aborts them and they requeue.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createMiner, JobError } from '@aitbc/miner';

const once = process.argv.includes('--once');
const { BASE = 'http://127.0.0.1:8011', MINER_KEY: apiKey } = process.env;
if (!apiKey) throw new Error('set MINER_KEY to a miner key (the mk_dev_… key `npm start` prints)');

const miner = createMiner({
  baseUrl: BASE,
  apiKey,
  capabilities: { gpus: [{ model: 'NVIDIA RTX 4090', vram_gb: 24 }], cuda: '12.4' },
  concurrency: 2,
  executors: {
    '*': async ({ payload, signal }) => {
      if (typeof payload.text !== 'string') {
        throw new JobError('BAD_PAYLOAD', 'payload.text must be a string');
      }
      // Stands in for real work; the signal aborts it when the job is canceled.
      await delay(Number(payload.work_ms ?? 0), undefined, { signal });
      return { result: { reversed: [...payload.text].reverse().join('') }, metrics: { units: 1 } };
    },
  },
  onEvent(event) {
    const job = 'jobId' in event ? ` ${event.jobId}` : '';
    console.log(`miner: ${event.type}${job}`);
    const reported = event.type === 'job_completed' || event.type === 'job_failed';
    if (once && reported) void miner.stop().then(() => process.exit(0));
  },
});
miner.handleSignals();
const { miner_id } = await miner.start();
console.log(`miner: ${miner_id} is polling ${BASE}`);
