import { randomUUID } from 'node:crypto';
import type { RunningJob } from '@aitbc/miner';

/** A claimed job as the SDK hands it to an executor, with consistent defaults. */
export function makeRunningJob(overrides: Partial<RunningJob> = {}): RunningJob {
  return {
    jobId: randomUUID(),
    leaseId: randomUUID(),
    attempt: 1,
    service: null,
    payload: {},
    constraints: {},
    signal: new AbortController().signal,
    progress: async () => {},
    ...overrides,
  };
}
