import { vi } from 'vitest';
import type { MinerEvent } from '../src/events.js';
import { createMiner, type MinerOptions } from '../src/miner.js';
import { FakeMinerApi } from './fake-miner-api.js';

export const GPU = { gpus: [{ model: 'RTX 4090', vram_gb: 24 }] };

/** A miner on a fresh in-memory coordinator, with its events recorded. */
export function setup(overrides: Partial<MinerOptions> = {}) {
  const api = new FakeMinerApi();
  const events: MinerEvent[] = [];
  const miner = createMiner({
    baseUrl: 'http://unused',
    apiKey: 'unused',
    capabilities: GPU,
    concurrency: 1,
    executors: { '*': async () => ({ result: { ok: true } }) },
    pollWaitSeconds: 10,
    onEvent: (e) => events.push(e),
    api,
    ...overrides,
  });
  const ofType = <T extends MinerEvent['type']>(type: T) =>
    events.filter((e): e is Extract<MinerEvent, { type: T }> => e.type === type);
  return { api, miner, events, ofType };
}

/** Lets promise chains settle without moving the clock. */
export const settle = () => vi.advanceTimersByTimeAsync(0);
