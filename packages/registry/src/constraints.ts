import { compareVersions, type JobConstraints, parseVersion } from '@aitbc/contracts';
import type { Requirement } from './types.js';

const VENDORS = new Set(['nvidia', 'amd', 'intel']);

/** How specific a `gpu` constraint is: absent < "any" < a vendor < a model fragment. */
function gpuRank(gpu: string | undefined): number {
  if (gpu === undefined) return 0;
  if (gpu === 'any') return 1;
  return VENDORS.has(gpu) ? 2 : 3;
}

const GB_PER_UNIT: Record<string, number> = { MB: 1 / 1024, GB: 1, TB: 1024 };

function vramGb(r: Requirement): number {
  const gb = Number(r.min) * (GB_PER_UNIT[r.unit ?? 'GB'] ?? Number.NaN);
  if (!Number.isFinite(gb) || gb <= 0) throw new Error(`bad vram requirement ${JSON.stringify(r)}`);
  return gb;
}

/**
 * Two sets of constraints as one that satisfies both: the larger `min_vram_gb`, the higher
 * `cuda`, the more specific `gpu` (on a tie, `b`'s), all `models`, the lower `max_price`, and
 * `b`'s region over `a`'s. Absent values stay absent.
 */
export function mergeConstraints(a: JobConstraints, b: JobConstraints): JobConstraints {
  const out: JobConstraints = {};
  const gpu = gpuRank(b.gpu) >= gpuRank(a.gpu) ? (b.gpu ?? a.gpu) : a.gpu;
  if (gpu !== undefined) out.gpu = gpu;
  const vram = Math.max(a.min_vram_gb ?? 0, b.min_vram_gb ?? 0);
  if (vram > 0) out.min_vram_gb = vram;
  const cuda =
    a.cuda && b.cuda
      ? compareVersions(parseVersion(b.cuda), parseVersion(a.cuda)) > 0
        ? b.cuda
        : a.cuda
      : (b.cuda ?? a.cuda);
  if (cuda !== undefined) out.cuda = cuda;
  const models = [...new Set([...(a.models ?? []), ...(b.models ?? [])])];
  if (models.length > 0) out.models = models;
  const region = b.region ?? a.region;
  if (region !== undefined) out.region = region;
  const prices = [a.max_price, b.max_price].filter((p): p is number => p !== undefined);
  if (prices.length > 0) out.max_price = Math.min(...prices);
  return out;
}

/**
 * The job constraints a service's hardware needs imply (contract §7): the GPU vendor or class
 * becomes `gpu` (`"any"` stays `"any"`), VRAM `min_vram_gb`, CUDA `cuda`. CPU, RAM, storage and
 * network are advertised but not matched, since miners do not report them.
 */
export function requirementsToConstraints(requirements: readonly Requirement[]): JobConstraints {
  return requirements.reduce<JobConstraints>((acc, r) => {
    switch (r.component) {
      case 'gpu':
        return mergeConstraints(acc, { gpu: String(r.min).trim().toLowerCase() });
      case 'vram':
        return mergeConstraints(acc, { min_vram_gb: vramGb(r) });
      case 'cuda':
        return mergeConstraints(acc, { cuda: String(r.min) });
      default:
        return acc;
    }
  }, {});
}
