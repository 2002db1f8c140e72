// Type-checked against the packed tarball by scripts/pack-check.mjs: what a user writes.
import { createMiner, type Executor, JobError, type MinerEvent, type Receipt } from '@aitbc/miner';

const echo: Executor = async ({ payload, signal, attempt }) => {
  signal.throwIfAborted();
  if (attempt > 2) throw new JobError('GIVING_UP', 'too many attempts', { retryable: false });
  return { result: { payload }, metrics: { units: 1, unit_type: 'requests', model: 'echo' } };
};

const receipts: Receipt[] = [];
const miner = createMiner({
  baseUrl: 'http://127.0.0.1:8011',
  apiKey: 'mk_example',
  capabilities: { gpus: [{ model: 'RTX 4090', vram_gb: 24 }], cuda: '12.4' },
  concurrency: 1,
  executors: { '*': echo },
  onEvent(event: MinerEvent) {
    if (event.type === 'job_completed') receipts.push(event.receipt);
  },
});
export const stop: () => Promise<void> = () => miner.stop({ graceMs: 1000 });
