import { describe, expect, it } from 'vitest';
import {
  CONSTRAINT_CHECKS,
  compareVersions,
  gpuKey,
  type JobRequirements,
  type MinerProfile,
  matches,
  parseVersion,
  toProfile,
  toRequirements,
} from './matching.js';
import type { JobConstraints, MinerCapabilities } from './schemas/constraints.js';

const req = (c?: JobConstraints): JobRequirements => toRequirements(c);

/** A miner profile through the same normalization as registration. */
const miner = (caps: Partial<MinerCapabilities> = {}, region?: string): MinerProfile =>
  toProfile({ gpus: [], ...caps }, region);

const rtx4090 = { model: 'RTX 4090', vram_gb: 24 };
const a100 = { model: 'NVIDIA A100 80GB', vram_gb: 80 };
const rx7900 = { model: 'Radeon RX 7900 XTX', vram_gb: 24 };
const cpuOnly = miner();

describe('gpuKey', () => {
  it('prefixes the vendor to a bare NVIDIA model', () => {
    const key = gpuKey('RTX 4090');
    expect(key).toContain('nvidia');
    expect(key).toContain('rtx 4090');
    expect(key).toBe('nvidia rtx 4090');
  });

  it('keeps a single "nvidia" when the model already names it', () => {
    const key = gpuKey('NVIDIA A100 80GB');
    expect(key).toBe('nvidia a100 80gb');
    expect(key.match(/nvidia/g)).toHaveLength(1);
  });

  it('lower-cases and collapses whitespace', () => {
    expect(gpuKey('  GeForce   RTX\t3080 ')).toBe('nvidia geforce rtx 3080');
  });

  it('recognizes NVIDIA data-center names', () => {
    expect(gpuKey('H100')).toBe('nvidia h100');
    expect(gpuKey('Tesla T4')).toBe('nvidia tesla t4');
  });

  it('recognizes AMD', () => {
    expect(gpuKey('Radeon RX 7900 XTX')).toBe('amd radeon rx 7900 xtx');
    expect(gpuKey('AMD Instinct MI300X')).toBe('amd instinct mi300x');
    expect(gpuKey('Instinct MI250')).toBe('amd instinct mi250');
  });

  it('recognizes Intel data-center GPUs', () => {
    expect(gpuKey('Data Center GPU Max 1550')).toBe('intel data center gpu max 1550');
    expect(gpuKey('Intel Data Center GPU Flex 170')).toBe('intel data center gpu flex 170');
  });

  // Regression: the NVIDIA pattern once matched "a770", so Intel Arc cards were keyed as nvidia.
  it('recognizes Intel Arc A770 as intel, not nvidia', () => {
    const key = gpuKey('Intel Arc A770');
    expect(key).toContain('intel');
    expect(key).not.toContain('nvidia');
  });

  it('leaves an unknown model as lower-case text', () => {
    expect(gpuKey('Apple M2 Max')).toBe('apple m2 max');
    expect(gpuKey('Moore Threads MTT S80')).toBe('moore threads mtt s80');
  });
});

describe('parseVersion and compareVersions', () => {
  const cmp = (a: string, b: string) =>
    Math.sign(compareVersions(parseVersion(a), parseVersion(b)));

  it('pads to three numeric parts and drops extra parts', () => {
    expect(parseVersion('12')).toEqual([12, 0, 0]);
    expect(parseVersion('12.4')).toEqual([12, 4, 0]);
    expect(parseVersion('12.4.1')).toEqual([12, 4, 1]);
    expect(parseVersion('1.2.3.4')).toEqual([1, 2, 3]);
  });

  it('compares part by part as numbers, not as text', () => {
    expect(cmp('12.10', '12.4')).toBe(1);
    expect(cmp('12.4', '12.10')).toBe(-1);
    expect(cmp('12', '12.0.0')).toBe(0);
    expect(cmp('11.8', '12')).toBe(-1);
    expect(cmp('12.4.1', '12.4')).toBe(1);
    expect(cmp('9.9.9', '10')).toBe(-1);
  });

  it('treats missing parts of unequal arrays as 0', () => {
    expect(compareVersions([12], [12, 0, 0])).toBe(0);
    expect(compareVersions([12, 1], [12])).toBeGreaterThan(0);
  });
});

describe('toRequirements', () => {
  it('absent constraints require nothing', () => {
    const expected: JobRequirements = {
      gpu: null,
      minVramGb: null,
      cuda: null,
      models: [],
      region: null,
      maxPrice: null,
      service: null,
    };
    expect(req(undefined)).toEqual(expected);
    expect(req({})).toEqual(expected);
  });

  it('"any" becomes "" (any GPU), case- and space-insensitively', () => {
    expect(req({ gpu: 'any' }).gpu).toBe('');
    expect(req({ gpu: ' ANY ' }).gpu).toBe('');
  });

  it('keeps a GPU fragment lower-cased and absent gpu as null', () => {
    expect(req({ gpu: 'RTX  4090' }).gpu).toBe('rtx 4090');
    expect(req({ min_vram_gb: 16 }).gpu).toBeNull();
  });

  it('lower-cases and deduplicates models', () => {
    expect(req({ models: ['Llama-3-8B', 'llama-3-8b', ' LLAMA-3-8B ', 'SDXL'] }).models).toEqual([
      'llama-3-8b',
      'sdxl',
    ]);
  });

  it('lower-cases the region and parses cuda', () => {
    const r = req({ region: 'EU-West', cuda: '12.4', min_vram_gb: 16, max_price: 0 });
    expect(r.region).toBe('eu-west');
    expect(r.cuda).toEqual([12, 4, 0]);
    expect(r.minVramGb).toBe(16);
    expect(r.maxPrice).toBe(0);
  });

  it('takes the service id apart from the constraints', () => {
    expect(req({}).service).toBeNull();
    expect(toRequirements({}, 'llm_inference').service).toBe('llm_inference');
    expect(toRequirements({}, null).service).toBeNull();
  });
});

describe('toProfile', () => {
  it('keys each GPU and normalizes the rest', () => {
    expect(
      toProfile(
        {
          gpus: [rtx4090, a100],
          cuda: '12.2',
          models: ['SDXL', 'sdxl'],
          services: ['LLM_Inference', 'llm_inference', '3d_rendering'],
          price: 3,
        },
        'EU-West',
      ),
    ).toEqual({
      gpus: [
        { key: 'nvidia rtx 4090', vram_gb: 24 },
        { key: 'nvidia a100 80gb', vram_gb: 80 },
      ],
      cuda: [12, 2, 0],
      models: ['sdxl'],
      region: 'eu-west',
      price: 3,
      services: ['llm_inference', '3d_rendering'],
    });
  });

  it('leaves absent fields null or empty', () => {
    expect(toProfile({ gpus: [] })).toEqual({
      gpus: [],
      cuda: null,
      models: [],
      region: null,
      price: null,
      services: [],
    });
  });
});

describe('CONSTRAINT_CHECKS', () => {
  it('has exactly the six documented checks, service first (the order explain blames in)', () => {
    expect(Object.keys(CONSTRAINT_CHECKS)).toEqual([
      'service',
      'gpu',
      'cuda',
      'models',
      'region',
      'max_price',
    ]);
  });

  describe('service', () => {
    const service = (id: string | null, offered?: string[]) =>
      CONSTRAINT_CHECKS.service(
        toRequirements({}, id),
        miner(offered === undefined ? {} : { services: offered }),
      );

    it("needs the miner to offer the job's service", () => {
      expect(service('llm_inference', ['llm_inference', '3d_rendering'])).toBe(true);
      expect(service('llm_inference', ['3d_rendering'])).toBe(false);
      expect(service('llm_inference', undefined)).toBe(false);
    });

    it('a job without a service goes to any miner', () => {
      expect(service(null, undefined)).toBe(true);
      expect(service(null, ['3d_rendering'])).toBe(true);
    });
  });

  describe('gpu', () => {
    const gpu = (c: JobConstraints, m: MinerProfile) => CONSTRAINT_CHECKS.gpu(req(c), m);

    it('no gpu constraint matches a CPU-only miner', () => {
      expect(gpu({}, cpuOnly)).toBe(true);
    });

    it('"any" needs at least one GPU', () => {
      expect(gpu({ gpu: 'any' }, cpuOnly)).toBe(false);
      expect(gpu({ gpu: 'any' }, miner({ gpus: [rx7900] }))).toBe(true);
    });

    it('matches by vendor', () => {
      expect(gpu({ gpu: 'nvidia' }, miner({ gpus: [rtx4090] }))).toBe(true);
      expect(gpu({ gpu: 'NVIDIA' }, miner({ gpus: [rtx4090] }))).toBe(true);
      expect(gpu({ gpu: 'amd' }, miner({ gpus: [rtx4090] }))).toBe(false);
      expect(gpu({ gpu: 'amd' }, miner({ gpus: [rx7900] }))).toBe(true);
      expect(gpu({ gpu: 'nvidia' }, miner({ gpus: [rx7900] }))).toBe(false);
    });

    it('matches a model fragment case-insensitively', () => {
      expect(
        gpu({ gpu: 'RTX 4090' }, miner({ gpus: [{ model: 'geforce rtx 4090', vram_gb: 24 }] })),
      ).toBe(true);
      expect(gpu({ gpu: 'a100' }, miner({ gpus: [a100] }))).toBe(true);
      expect(gpu({ gpu: 'rtx 4080' }, miner({ gpus: [rtx4090] }))).toBe(false);
    });

    it('min_vram_gb needs ONE GPU with that much memory', () => {
      const twoSmall = miner({
        gpus: [
          { model: 'RTX 3060', vram_gb: 12 },
          { model: 'RTX 3060', vram_gb: 12 },
        ],
      });
      expect(gpu({ min_vram_gb: 16 }, twoSmall)).toBe(false);
      expect(gpu({ min_vram_gb: 12 }, twoSmall)).toBe(true);
      expect(gpu({ min_vram_gb: 16 }, cpuOnly)).toBe(false);
      expect(gpu({ min_vram_gb: 24 }, miner({ gpus: [rtx4090] }))).toBe(true);
      expect(gpu({ min_vram_gb: 24.5 }, miner({ gpus: [rtx4090] }))).toBe(false);
    });

    it('gpu and min_vram_gb must hold on the same card', () => {
      const mixed = miner({ gpus: [{ model: 'RTX 3060', vram_gb: 12 }, rx7900] });
      // The NVIDIA card is too small; the big card is AMD.
      expect(gpu({ gpu: 'nvidia', min_vram_gb: 16 }, mixed)).toBe(false);
      expect(gpu({ gpu: 'nvidia', min_vram_gb: 12 }, mixed)).toBe(true);
      expect(gpu({ gpu: 'amd', min_vram_gb: 16 }, mixed)).toBe(true);
    });
  });

  describe('cuda', () => {
    const cuda = (need: string | undefined, has: string | undefined) =>
      CONSTRAINT_CHECKS.cuda(
        req(need === undefined ? {} : { cuda: need }),
        miner(has === undefined ? {} : { cuda: has }),
      );

    it('is a minimum compared part by part', () => {
      expect(cuda('12.4', '12.10')).toBe(true);
      expect(cuda('12.10', '12.4')).toBe(false);
      expect(cuda('12', '12.0.0')).toBe(true);
      expect(cuda('12.0.1', '12')).toBe(false);
      expect(cuda('12', '11.8')).toBe(false);
      expect(cuda('11.8', '12')).toBe(true);
    });

    it('a miner without cuda fails a cuda requirement; no requirement always passes', () => {
      expect(cuda('11', undefined)).toBe(false);
      expect(cuda(undefined, undefined)).toBe(true);
    });
  });

  describe('models', () => {
    const models = (need: string[], has: string[] | undefined) =>
      CONSTRAINT_CHECKS.models(
        req({ models: need }),
        miner(has === undefined ? {} : { models: has }),
      );

    it('requires a subset, case-insensitively', () => {
      expect(models(['sdxl'], ['SDXL', 'llama-3-8b'])).toBe(true);
      expect(models(['SDXL', 'Llama-3-8B'], ['sdxl', 'llama-3-8b'])).toBe(true);
      expect(models(['sdxl', 'whisper'], ['sdxl'])).toBe(false);
      expect(models(['sdxl'], undefined)).toBe(false);
      expect(models([], undefined)).toBe(true);
    });
  });

  describe('region', () => {
    const region = (need: string | undefined, has: string | undefined) =>
      CONSTRAINT_CHECKS.region(req(need === undefined ? {} : { region: need }), miner({}, has));

    it('must equal, case-insensitively', () => {
      expect(region('eu-west', 'EU-West')).toBe(true);
      expect(region('EU-WEST', 'eu-west')).toBe(true);
      expect(region('eu-west', 'eu-west-2')).toBe(false);
      expect(region('eu', 'eu-west')).toBe(false);
      expect(region('eu-west', undefined)).toBe(false);
      expect(region(undefined, undefined)).toBe(true);
      expect(region(undefined, 'us-east')).toBe(true);
    });
  });

  describe('max_price', () => {
    const maxPrice = (limit: number | undefined, price: number | undefined) =>
      CONSTRAINT_CHECKS.max_price(
        req(limit === undefined ? {} : { max_price: limit }),
        miner(price === undefined ? {} : { price }),
      );

    it('compares the miner price with the limit', () => {
      expect(maxPrice(10, 11)).toBe(false);
      expect(maxPrice(10, 10)).toBe(true);
      expect(maxPrice(10, 9.99)).toBe(true);
      expect(maxPrice(0, 0)).toBe(true);
      expect(maxPrice(0, 0.01)).toBe(false);
    });

    it('a miner with no advertised price fails a price limit', () => {
      expect(maxPrice(10, undefined)).toBe(false);
      expect(maxPrice(undefined, undefined)).toBe(true);
    });
  });
});

describe('matches', () => {
  const gpuMiner = miner({ gpus: [rtx4090], cuda: '12.4', models: ['SDXL'], price: 2 }, 'eu-west');

  it('empty constraints match a CPU-only miner', () => {
    expect(matches(req(undefined), cpuOnly)).toBe(true);
    expect(matches(req({}), cpuOnly)).toBe(true);
  });

  it('"any" GPU does not match a miner with no GPUs', () => {
    expect(matches(req({ gpu: 'any' }), cpuOnly)).toBe(false);
  });

  it('matches when every constraint holds', () => {
    expect(
      matches(
        req({
          gpu: 'nvidia',
          min_vram_gb: 24,
          cuda: '12',
          models: ['sdxl'],
          region: 'EU-West',
          max_price: 2,
        }),
        gpuMiner,
      ),
    ).toBe(true);
  });

  it.each([
    ['gpu', { gpu: 'amd' }],
    ['min_vram_gb', { min_vram_gb: 32 }],
    ['cuda', { cuda: '12.5' }],
    ['models', { models: ['sdxl', 'whisper'] }],
    ['region', { region: 'us-east' }],
    ['max_price', { max_price: 1.5 }],
  ] as [string, JobConstraints][])('fails when only %s does not hold', (_name, failing) => {
    const base: JobConstraints = {
      gpu: 'nvidia',
      min_vram_gb: 24,
      cuda: '12',
      models: ['sdxl'],
      region: 'eu-west',
      max_price: 2,
    };
    expect(matches(req(base), gpuMiner)).toBe(true);
    expect(matches(req({ ...base, ...failing }), gpuMiner)).toBe(false);
  });

  // Regression: an Intel Arc miner was once keyed "nvidia intel arc a770" and got NVIDIA jobs.
  it('a job asking for nvidia does not match an Intel Arc A770 miner', () => {
    expect(
      matches(req({ gpu: 'nvidia' }), miner({ gpus: [{ model: 'Intel Arc A770', vram_gb: 16 }] })),
    ).toBe(false);
  });
});
