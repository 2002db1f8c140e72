import { execFile } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { MinerCapabilities } from '@aitbc/contracts';

/** Runs a program and resolves with its stdout; rejects when it is missing or exits non-zero. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>;

export interface GpuInfo {
  model: string;
  vram_gb: number;
  driver: string;
}

/** What the machine offers. CPU and RAM are not part of the contract's capabilities. */
export interface HardwareProfile {
  gpus: GpuInfo[];
  /** The highest CUDA version the driver supports, from the `nvidia-smi` banner. */
  cuda: string | null;
  cpu: { model: string; cores: number };
  memory_gb: number;
}

export const NVIDIA_SMI_QUERY = [
  '--query-gpu=name,memory.total,driver_version',
  '--format=csv,noheader,nounits',
] as const;

const MIB_PER_GB = 1024;

/** One decimal place: 24564 MiB → 24 GB, 81920 MiB → 80 GB, 7982 MiB → 7.8 GB. */
const roundGb = (gb: number) => Math.round(gb * 10) / 10;

/**
 * Parses `nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits`,
 * one GPU per line: `NVIDIA GeForce RTX 4090, 24564, 550.54.14` (memory in MiB). Lines that do
 * not have that shape (a driver warning, `[N/A]` memory) are skipped rather than guessed at.
 */
export function parseGpuCsv(csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== 3) continue;
    const [model = '', memory = '', driver = ''] = fields;
    const mib = Number(memory);
    if (model === '' || memory === '' || !Number.isFinite(mib) || mib <= 0) continue;
    gpus.push({ model, vram_gb: roundGb(mib / MIB_PER_GB), driver });
  }
  return gpus;
}

/** The `CUDA Version: 12.4` of the `nvidia-smi` banner, or null (no driver, or an old one). */
export function parseCudaVersion(banner: string): string | null {
  return /CUDA Version:\s*(\d{1,4}(?:\.\d{1,4}){0,2})/.exec(banner)?.[1] ?? null;
}

/** The contract's view of the hardware; the caller adds `services` and `models`. */
export function toCapabilities(profile: HardwareProfile): MinerCapabilities {
  return {
    gpus: profile.gpus.map(({ model, vram_gb }) => ({ model, vram_gb })),
    ...(profile.cuda ? { cuda: profile.cuda } : {}),
  };
}

/** Flat scalars for heartbeat metadata and the start-up log line. */
export function describeHardware(profile: HardwareProfile): Record<string, string | number> {
  const first = profile.gpus[0];
  return {
    cpu_model: profile.cpu.model,
    cpu_cores: profile.cpu.cores,
    memory_gb: profile.memory_gb,
    gpu_count: profile.gpus.length,
    ...(first ? { gpu_driver: first.driver } : {}),
    ...(profile.cuda ? { cuda: profile.cuda } : {}),
  };
}

export interface ProbeOptions {
  run?: CommandRunner;
  /** Where `nvidia-smi` is; on PATH by default. */
  nvidiaSmi?: string;
  os?: { cpus: typeof cpus; totalmem: typeof totalmem };
}

/** Asks `nvidia-smi` for GPUs (none when it is absent or fails) and node:os for CPU and RAM. */
export async function probeHardware(options: ProbeOptions = {}): Promise<HardwareProfile> {
  const run = options.run ?? runCommand;
  const smi = options.nvidiaSmi ?? 'nvidia-smi';
  const os = options.os ?? { cpus, totalmem };
  const [csv, banner] = await Promise.all([
    run(smi, NVIDIA_SMI_QUERY).catch(() => ''),
    run(smi, []).catch(() => ''),
  ]);
  const gpus = parseGpuCsv(csv);
  const cores = os.cpus();
  return {
    gpus,
    cuda: gpus.length > 0 ? parseCudaVersion(banner) : null,
    cpu: { model: cores[0]?.model.trim() || 'unknown', cores: cores.length },
    memory_gb: roundGb(os.totalmem() / 1024 ** 3),
  };
}

/** The real runner: execFile with a timeout, so a hung driver cannot stall start-up. */
export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, [...args], { timeout: 10_000, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
