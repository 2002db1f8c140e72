import { z } from 'zod';

const Name = z.string().trim().min(1).max(128);

/** Dotted numeric version, `12`, `12.4` or `12.4.1`; compared part by part as numbers. */
export const Version = z
  .string()
  .regex(/^\d{1,4}(\.\d{1,4}){0,2}$/, 'a version like 12.4')
  .meta({ example: '12.4' });

export const JobConstraints = z.strictObject({
  gpu: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe('"any", a vendor (nvidia, amd, intel) or a GPU model fragment ("rtx 4090")'),
  min_vram_gb: z.number().positive().max(4096).optional().describe('one GPU with at least this'),
  cuda: Version.optional().describe('minimum CUDA version'),
  models: z.array(Name).max(32).optional().describe('the miner must offer all of these'),
  region: z.string().trim().min(1).max(64).optional(),
  max_price: z.number().nonnegative().max(1e9).optional().describe('the miner price must be ≤'),
});
export type JobConstraints = z.infer<typeof JobConstraints>;

export const Gpu = z.strictObject({
  model: z.string().trim().min(1).max(128),
  vram_gb: z.number().positive().max(4096),
});

export const MinerCapabilities = z.strictObject({
  gpus: z.array(Gpu).max(64),
  cuda: Version.optional(),
  models: z.array(Name).max(256).optional(),
  services: z.array(Name).max(256).optional(),
  price: z.number().nonnegative().max(1e9).optional(),
});
export type MinerCapabilities = z.infer<typeof MinerCapabilities>;
