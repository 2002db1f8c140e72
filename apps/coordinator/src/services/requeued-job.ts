import type { JobRequirements } from '@aitbc/contracts';

/**
 * The requirement columns of a job as a `JobRequirements`, for RETURNING lists of statements that
 * put a job back in the queue: the waiting polls it may suit are woken with these, without reading
 * the job again. `table` is the alias of `jobs` in the statement.
 */
export const requirementsReturning = (table: string): string =>
  `${table}.req_gpu as gpu, ${table}.req_vram as "minVramGb", ${table}.req_cuda as cuda,
   ${table}.req_models as models, ${table}.req_region as region,
   ${table}.req_max_price as "maxPrice", ${table}.req_service as service`;

/** Picks the requirement fields out of a row selected with `requirementsReturning`. */
export function requirementsOf(row: JobRequirements): JobRequirements {
  return {
    gpu: row.gpu,
    minVramGb: row.minVramGb,
    cuda: row.cuda,
    models: row.models,
    region: row.region,
    maxPrice: row.maxPrice,
    service: row.service,
  };
}
