import {
  CONSTRAINT_CHECKS,
  type JobConstraints,
  type MinerCapabilities,
  matches,
  toProfile,
  toRequirements,
} from '@aitbc/contracts';
import { getService } from '@aitbc/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPU_ONLY, claim, pollNow, registerMiner, submitJob } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('hand-out order', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await registerMiner(t, 'miner1', CPU_ONLY, { concurrency: 10 });
  });
  afterAll(() => t?.close());

  it('hands out higher priority first, then the oldest', async () => {
    const ids: Record<string, string> = {};
    for (const [name, priority] of [
      ['low1', 0],
      ['high1', 5],
      ['low2', 0],
      ['high2', 5],
    ] as const) {
      ids[name] = (await submitJob(t, { priority })).job_id;
      t.clock.advance(1000);
    }
    const order = [];
    for (let i = 0; i < 4; i++) order.push((await pollNow(t, 'miner1'))?.job_id);
    expect(order).toEqual([ids.high1, ids.high2, ids.low1, ids.low2]);
  });

  it('hands out jobs submitted within the same millisecond oldest first', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await submitJob(t, { priority: -1 })).job_id);
    const order = [];
    for (let i = 0; i < 5; i++) order.push((await pollNow(t, 'miner1'))?.job_id);
    expect(order).toEqual(ids);
  });
});

interface MatchCase {
  name: string;
  constraints: JobConstraints;
  miss: MinerCapabilities & { region?: string };
  match: MinerCapabilities & { region?: string };
}

const gpu = (model: string, vram_gb = 24) => ({ model, vram_gb });

const CASES: MatchCase[] = [
  {
    name: 'gpu "any" needs some GPU',
    constraints: { gpu: 'any' },
    miss: CPU_ONLY,
    match: { gpus: [gpu('Arc A770', 16)] },
  },
  {
    name: 'gpu vendor is inferred from the model',
    constraints: { gpu: 'nvidia' },
    miss: { gpus: [gpu('Radeon RX 7900 XTX')] },
    match: { gpus: [gpu('RTX 4090')] },
  },
  {
    name: 'gpu vendor amd',
    constraints: { gpu: 'AMD' },
    miss: { gpus: [gpu('A100', 80)] },
    match: { gpus: [gpu('Instinct MI300X', 192)] },
  },
  {
    name: 'gpu model fragment, case-insensitive',
    constraints: { gpu: 'rtx 4090' },
    miss: { gpus: [gpu('RTX 4080')] },
    match: { gpus: [gpu('NVIDIA GeForce  RTX 4090')] },
  },
  {
    name: 'min_vram_gb needs one GPU that large',
    constraints: { min_vram_gb: 24 },
    miss: { gpus: [gpu('T4', 16), gpu('T4', 16)] },
    match: { gpus: [gpu('T4', 16), gpu('L4', 24)] },
  },
  {
    name: 'vendor and vram on the same GPU',
    constraints: { gpu: 'amd', min_vram_gb: 48 },
    miss: { gpus: [gpu('A100', 80), gpu('Radeon RX 7900 XTX', 24)] },
    match: { gpus: [gpu('Instinct MI210', 64)] },
  },
  {
    name: 'cuda compares numerically (12.10 > 12.4)',
    constraints: { cuda: '12.5' },
    miss: { gpus: [], cuda: '12.4' },
    match: { gpus: [], cuda: '12.10' },
  },
  {
    name: 'cuda 12.9 is below 12.10',
    constraints: { cuda: '12.10' },
    miss: { gpus: [], cuda: '12.9' },
    match: { gpus: [], cuda: '12.10.1' },
  },
  {
    name: 'cuda required, miner without cuda',
    constraints: { cuda: '11' },
    miss: CPU_ONLY,
    match: { gpus: [], cuda: '11.0' },
  },
  {
    name: 'models are a subset test',
    constraints: { models: ['llama-3', 'sdxl'] },
    miss: { gpus: [], models: ['llama-3', 'whisper'] },
    match: { gpus: [], models: ['SDXL', 'whisper', 'Llama-3'] },
  },
  {
    name: 'region is equal, case-insensitively',
    constraints: { region: 'eu-west' },
    miss: { gpus: [], region: 'us-east' },
    match: { gpus: [], region: 'EU-West' },
  },
  {
    name: 'max_price needs an advertised price at most that',
    constraints: { max_price: 1.5 },
    miss: { gpus: [], price: 2 },
    match: { gpus: [], price: 1.5 },
  },
  {
    name: 'max_price excludes a miner without a price',
    constraints: { max_price: 100 },
    miss: CPU_ONLY,
    match: { gpus: [], price: 0 },
  },
];

/** mulberry32: a small seeded PRNG, so a failing case can be reproduced from its index. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const chance = (p: number) => next() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const some = <T>(items: readonly T[], max: number): T[] =>
    Array.from({ length: Math.floor(next() * (max + 1)) }, () => pick(items));
  /** Often a value of the miner's own (the boundary), otherwise one from the list. */
  const near = <T>(own: T | undefined, items: readonly T[]): T =>
    own !== undefined && chance(0.5) ? own : pick(items);
  return { chance, pick, some, near };
}

const GPU_MODELS = [
  'RTX 4090',
  'NVIDIA A100 80GB',
  'Radeon RX 7900 XTX',
  'Instinct MI300X',
  'Arc A770',
  'Tesla T4',
  'GeForce GTX 1080',
  'H100 SXM',
  'L4',
];
const VRAM = [8, 12, 16, 24, 40, 48.5, 80, 192];
const CUDA = ['9.2', '11', '11.8', '12', '12.4', '12.10', '12.4.1', '13.0'];
const MODELS = ['llama-3', 'SDXL', 'whisper', 'Mistral 7B', 'sdxl'];
const REGIONS = ['eu-west', 'EU-West', 'us-east', 'ap-south'];
const PRICES = [0, 0.5, 1, 2.5];
/** Registry services with light hardware needs, so that the service check often decides alone. */
const SERVICE_IDS = [
  'speech_recognition',
  'embedding_generation',
  'gpu_benchmarking',
  '3d_rendering',
];
/** What miners advertise: normalized at register, so a differently cased id still matches. */
const MINER_SERVICES = [...SERVICE_IDS, 'Speech_Recognition', 'llm_inference'];
const GPU_CONSTRAINTS = [
  'any',
  'nvidia',
  'AMD',
  'intel',
  'rtx 4090',
  'a100',
  'MI300',
  '4090',
  'arc',
  'Tesla',
];

/** A random miner, and constraints drawn from a shared vocabulary and from the miner's values. */
function randomPair(r: ReturnType<typeof prng>) {
  const caps: MinerCapabilities = {
    gpus: r.some(GPU_MODELS, 3).map((model) => ({ model, vram_gb: r.pick(VRAM) })),
  };
  if (r.chance(0.7)) caps.cuda = r.pick(CUDA);
  if (r.chance(0.7)) caps.models = r.some(MODELS, 3);
  if (r.chance(0.7)) caps.price = r.pick(PRICES);
  if (r.chance(0.7)) caps.services = r.some(MINER_SERVICES, 3);
  const region = r.chance(0.7) ? r.pick(REGIONS) : undefined;
  const ownGpu = caps.gpus.length > 0 ? r.pick(caps.gpus) : undefined;

  const c: JobConstraints = {};
  if (r.chance(0.35))
    c.gpu = r.near(ownGpu?.model.split(' ').at(-1)?.toUpperCase(), GPU_CONSTRAINTS);
  if (r.chance(0.3)) c.min_vram_gb = r.near(ownGpu?.vram_gb, VRAM);
  if (r.chance(0.3)) c.cuda = r.near(caps.cuda, CUDA);
  if (r.chance(0.3))
    c.models = r.some(r.chance(0.5) ? (caps.models?.length ? caps.models : MODELS) : MODELS, 2);
  if (r.chance(0.3)) c.region = r.near(region?.toUpperCase(), REGIONS);
  if (r.chance(0.3)) c.max_price = r.near(caps.price, PRICES);
  const ownService = caps.services?.length ? r.pick(caps.services).toLowerCase() : undefined;
  const service = r.chance(0.4)
    ? r.near(SERVICE_IDS.includes(ownService ?? '') ? ownService : undefined, SERVICE_IDS)
    : undefined;
  return { caps, region, constraints: c, service };
}

describe('constraints match by meaning through the claim', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const register = (miner: 'miner1' | 'miner2', { region, ...caps }: MatchCase['miss']) =>
    registerMiner(t, miner, caps, region ? { region } : {});

  it.each(CASES)('$name', async ({ constraints, miss, match }) => {
    await register('miner1', miss);
    await register('miner2', match);
    const job = await submitJob(t, { constraints });
    expect(await pollNow(t, 'miner1')).toBeNull();
    expect((await t.as('alice').jobs.get({ job_id: job.job_id })).state).toBe('QUEUED');
    const assigned = await claim(t, 'miner2', job.job_id);
    expect(assigned.constraints).toEqual(constraints);
    await t.as('alice').jobs.cancel({ job_id: job.job_id });
  });

  it('agrees with matches() from @aitbc/contracts on 200 random pairs', async () => {
    const r = prng(20261128);
    const disagreements: unknown[] = [];
    let matched = 0;
    /** Pairs where exactly this check said no: the SQL's version of it was what mattered. */
    const decisive = Object.fromEntries(Object.keys(CONSTRAINT_CHECKS).map((k) => [k, 0]));
    for (let i = 0; i < 200; i++) {
      const { caps, region, constraints, service } = randomPair(r);
      await registerMiner(t, 'miner1', caps, region ? { region } : {});
      // A service job carries the service's own needs too: match on what the job really has.
      const job = await submitJob(
        t,
        service ? { constraints, service, payload: getService(service)!.example } : { constraints },
      );
      const req = toRequirements(job.constraints, job.service);
      const profile = toProfile(caps, region);
      const expected = matches(req, profile);
      const failing = Object.entries(CONSTRAINT_CHECKS).filter(([, ok]) => !ok(req, profile));
      if (failing.length === 1) decisive[failing[0]![0]]!++;
      if (expected) matched++;

      const got = await pollNow(t, 'miner1');
      if (got !== null && got.job_id !== job.job_id) throw new Error('handed a stale job');
      if ((got !== null) !== expected)
        disagreements.push({ i, caps, region, constraints, service, expected });
      await t.as('alice').jobs.cancel({ job_id: job.job_id });
    }
    expect(disagreements).toEqual([]);
    // Both outcomes, and each check on its own, must be well represented, or agreement proves little.
    expect(matched).toBeGreaterThan(40);
    expect(matched).toBeLessThan(160);
    for (const [check, n] of Object.entries(decisive)) expect(n, check).toBeGreaterThanOrEqual(5);
  });
});
