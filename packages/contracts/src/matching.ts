import type { JobConstraints, MinerCapabilities } from './schemas/constraints.js';

/**
 * Constraint matching by meaning (contract §3). Constraints and capabilities are normalized once
 * (at submit and at register) into these shapes; the claim SQL evaluates the same predicate over
 * the stored columns, and `matches` is its executable specification (tests check they agree).
 */
export interface JobRequirements {
  /** null: no GPU needed; '': any GPU; otherwise a lower-case fragment of a GPU key. */
  gpu: string | null;
  minVramGb: number | null;
  /** Three numeric parts, e.g. [12, 4, 0]. */
  cuda: number[] | null;
  models: string[];
  region: string | null;
  maxPrice: number | null;
  /** A registry service id the miner must offer, or null. */
  service: string | null;
}

export interface MinerProfile {
  /** Lower-case "vendor model" keys with their memory, one per GPU. */
  gpus: { key: string; vram_gb: number }[];
  cuda: number[] | null;
  models: string[];
  region: string | null;
  price: number | null;
  /** Registry service ids the miner offers, normalized like `models`. */
  services: string[];
}

const VENDORS = ['nvidia', 'amd', 'intel'];

/** Product names that identify a vendor when the model string does not name it. Intel first: "a770" would otherwise look like an NVIDIA "a100". */
const VENDOR_PATTERNS: [vendor: string, pattern: RegExp][] = [
  ['intel', /\barc\b|\bflex\b|gaudi|\bmax \d{3,4}\b/],
  ['amd', /radeon|instinct|\bmi\d{2,3}/],
  ['nvidia', /geforce|quadro|tesla|titan|\b(rtx|gtx)|\b[ahlt]\d{1,3}[a-z]?\b|\bgh200\b|\bb200\b/],
];

const normalizeText = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** "RTX 4090" → "nvidia rtx 4090", so that a vendor and a model fragment both match it. */
export function gpuKey(model: string): string {
  const text = normalizeText(model);
  if (VENDORS.some((v) => text.includes(v))) return text;
  const vendor = VENDOR_PATTERNS.find(([, pattern]) => pattern.test(text))?.[0];
  return vendor ? `${vendor} ${text}` : text;
}

/** "12.4" → [12, 4, 0]; three parts so that arrays compare like versions. */
export function parseVersion(version: string): number[] {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  while (parts.length < 3) parts.push(0);
  return parts.slice(0, 3);
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function toRequirements(
  c: JobConstraints | undefined,
  service?: string | null,
): JobRequirements {
  const gpu = c?.gpu === undefined ? null : normalizeText(c.gpu);
  return {
    gpu: gpu === 'any' ? '' : gpu,
    minVramGb: c?.min_vram_gb ?? null,
    cuda: c?.cuda ? parseVersion(c.cuda) : null,
    models: [...new Set((c?.models ?? []).map(normalizeText))],
    region: c?.region ? normalizeText(c.region) : null,
    maxPrice: c?.max_price ?? null,
    service: service ? normalizeText(service) : null,
  };
}

export function toProfile(caps: MinerCapabilities, region?: string | null): MinerProfile {
  return {
    gpus: caps.gpus.map((g) => ({ key: gpuKey(g.model), vram_gb: g.vram_gb })),
    cuda: caps.cuda ? parseVersion(caps.cuda) : null,
    models: [...new Set((caps.models ?? []).map(normalizeText))],
    region: region ? normalizeText(region) : null,
    price: caps.price ?? null,
    services: [...new Set((caps.services ?? []).map(normalizeText))],
  };
}

/**
 * Each constraint a job can have, and whether a miner meets it. The key order is fixed: a dry
 * run (jobs.explain) blames a miner on the first check it fails, in this order.
 */
export const CONSTRAINT_CHECKS = {
  service: (r: JobRequirements, m: MinerProfile) =>
    r.service === null || m.services.includes(r.service),
  gpu: (r: JobRequirements, m: MinerProfile) =>
    r.gpu === null && r.minVramGb === null
      ? true
      : m.gpus.some(
          (g) =>
            (r.gpu === null || g.key.includes(r.gpu)) &&
            (r.minVramGb === null || g.vram_gb >= r.minVramGb),
        ),
  cuda: (r: JobRequirements, m: MinerProfile) =>
    r.cuda === null || (m.cuda !== null && compareVersions(m.cuda, r.cuda) >= 0),
  models: (r: JobRequirements, m: MinerProfile) => r.models.every((x) => m.models.includes(x)),
  region: (r: JobRequirements, m: MinerProfile) => r.region === null || r.region === m.region,
  max_price: (r: JobRequirements, m: MinerProfile) =>
    r.maxPrice === null || (m.price !== null && m.price <= r.maxPrice),
} as const satisfies Record<string, (r: JobRequirements, m: MinerProfile) => boolean>;

export type ConstraintKey = keyof typeof CONSTRAINT_CHECKS;
export const CONSTRAINT_NAMES = Object.keys(CONSTRAINT_CHECKS) as ConstraintKey[];

export function matches(r: JobRequirements, m: MinerProfile): boolean {
  return Object.values(CONSTRAINT_CHECKS).every((check) => check(r, m));
}
