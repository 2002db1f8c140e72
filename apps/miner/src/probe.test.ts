import { describe, expect, it } from 'vitest';
import {
  type CommandRunner,
  describeHardware,
  NVIDIA_SMI_QUERY,
  parseCudaVersion,
  parseGpuCsv,
  probeHardware,
  toCapabilities,
} from './probe.js';

// Captured from real machines (a two-GPU workstation and a DGX node).
const CSV_TWO_GPUS = `NVIDIA GeForce RTX 4090, 24564, 550.54.14
NVIDIA GeForce RTX 3060, 12288, 550.54.14
`;
const CSV_A100 = 'NVIDIA A100-SXM4-80GB, 81920, 535.104.05\n';

const BANNER = `Thu Nov 28 11:02:13 2024
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
|   0  NVIDIA GeForce RTX 4090        Off |   00000000:01:00.0  On |                  Off |
+-----------------------------------------+------------------------+----------------------+
`;

const FAKE_OS = {
  cpus: () => [{ model: ' AMD Ryzen 9 7950X 16-Core Processor ' }, { model: 'x' }] as never,
  totalmem: () => 64 * 1024 ** 3,
};

describe('parseGpuCsv', () => {
  it('reads one GPU per line with its memory in GB', () => {
    expect(parseGpuCsv(CSV_TWO_GPUS)).toEqual([
      { model: 'NVIDIA GeForce RTX 4090', vram_gb: 24, driver: '550.54.14' },
      { model: 'NVIDIA GeForce RTX 3060', vram_gb: 12, driver: '550.54.14' },
    ]);
    expect(parseGpuCsv(CSV_A100)).toEqual([
      { model: 'NVIDIA A100-SXM4-80GB', vram_gb: 80, driver: '535.104.05' },
    ]);
  });

  it('keeps one decimal of odd memory sizes', () => {
    expect(parseGpuCsv('Tesla T4, 15360, 470.1\nQuadro P1000, 4040, 470.1')).toEqual([
      { model: 'Tesla T4', vram_gb: 15, driver: '470.1' },
      { model: 'Quadro P1000', vram_gb: 3.9, driver: '470.1' },
    ]);
  });

  it('skips warnings, blank lines and unknown memory instead of guessing', () => {
    const csv = `WARNING: infoROM is corrupted at gpu 0000:01:00.0

NVIDIA GeForce GTX 1080, [N/A], 470.1
NVIDIA L4, 23034, 550.1`;
    expect(parseGpuCsv(csv)).toEqual([{ model: 'NVIDIA L4', vram_gb: 22.5, driver: '550.1' }]);
    expect(parseGpuCsv('')).toEqual([]);
  });
});

describe('parseCudaVersion', () => {
  it('reads the CUDA version of the banner', () => {
    expect(parseCudaVersion(BANNER)).toBe('12.4');
    expect(parseCudaVersion('| CUDA Version: 12.10 |')).toBe('12.10');
  });

  it('is null when the banner has none', () => {
    expect(parseCudaVersion('NVIDIA-SMI has failed because it could not communicate')).toBeNull();
  });
});

describe('probeHardware', () => {
  it('combines nvidia-smi answers with CPU and memory', async () => {
    const calls: string[] = [];
    const run: CommandRunner = async (command, args) => {
      calls.push([command, ...args].join(' '));
      return args.length === 0 ? BANNER : CSV_TWO_GPUS;
    };
    const profile = await probeHardware({ run, os: FAKE_OS });
    expect(calls).toContain(`nvidia-smi ${NVIDIA_SMI_QUERY.join(' ')}`);
    expect(profile).toEqual({
      gpus: parseGpuCsv(CSV_TWO_GPUS),
      cuda: '12.4',
      cpu: { model: 'AMD Ryzen 9 7950X 16-Core Processor', cores: 2 },
      memory_gb: 64,
    });
    expect(toCapabilities(profile)).toEqual({
      gpus: [
        { model: 'NVIDIA GeForce RTX 4090', vram_gb: 24 },
        { model: 'NVIDIA GeForce RTX 3060', vram_gb: 12 },
      ],
      cuda: '12.4',
    });
    expect(describeHardware(profile)).toMatchObject({ gpu_count: 2, gpu_driver: '550.54.14' });
  });

  it('reports no GPUs and no CUDA when nvidia-smi is missing', async () => {
    const run: CommandRunner = async () => {
      throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    };
    const profile = await probeHardware({ run, os: FAKE_OS });
    expect(profile.gpus).toEqual([]);
    expect(profile.cuda).toBeNull();
    expect(toCapabilities(profile)).toEqual({ gpus: [] });
    expect(describeHardware(profile)).toEqual({
      cpu_model: 'AMD Ryzen 9 7950X 16-Core Processor',
      cpu_cores: 2,
      memory_gb: 64,
      gpu_count: 0,
    });
  });

  it('runs against this machine without throwing', async () => {
    const profile = await probeHardware();
    expect(profile.cpu.cores).toBeGreaterThan(0);
    expect(profile.memory_gb).toBeGreaterThan(0);
  });
});
