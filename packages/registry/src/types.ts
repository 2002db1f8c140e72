import type { JobConstraints } from '@aitbc/contracts';
import { z } from 'zod';

export const SERVICE_CATEGORIES = [
  'ai_ml',
  'media_processing',
  'scientific_computing',
  'data_analytics',
  'gaming_entertainment',
  'development_tools',
] as const;
export const ServiceCategory = z.enum(SERVICE_CATEGORIES);
export type ServiceCategory = z.infer<typeof ServiceCategory>;

export const REQUIREMENT_COMPONENTS = [
  'gpu',
  'vram',
  'cuda',
  'cpu',
  'ram',
  'storage',
  'network',
] as const;

/**
 * One hardware need. `gpu.min` is `"any"`, a vendor (`"nvidia"`) or a model fragment (`"rtx"`);
 * `cuda.min` is a version string; the others are numbers in `unit` (GB, cores, Mbps).
 */
export const Requirement = z.strictObject({
  component: z.enum(REQUIREMENT_COMPONENTS),
  min: z.union([z.string(), z.number()]),
  recommended: z.union([z.string(), z.number()]).optional(),
  unit: z.string().optional(),
});
export type Requirement = z.infer<typeof Requirement>;

export const PRICING_MODELS = [
  'per_unit',
  'per_hour',
  'per_gb',
  'per_frame',
  'per_minute',
  'per_token',
  'per_image',
  'fixed',
  'custom',
] as const;

export const PricingTier = z.strictObject({
  model: z.enum(PRICING_MODELS),
  unit_price: z.number().nonnegative(),
  min_charge: z.number().nonnegative().optional(),
  currency: z.literal('AITBC'),
  unit: z.string().optional().describe('what one unit is, e.g. "simulated ns"'),
  description: z.string().optional(),
});
export type PricingTier = z.infer<typeof PricingTier>;

/**
 * A registry service. `input` validates job payloads (defaults applied); the hooks derive what
 * depends on the request itself and always receive the parsed input.
 */
export interface ServiceDefinition<
  In extends z.ZodType = z.ZodType,
  Out extends z.ZodType = z.ZodType,
> {
  id: string;
  name: string;
  category: ServiceCategory;
  description: string;
  /** The version of the service definition (its input schema), `1.0.0`. */
  version: string;
  tags: readonly string[];
  input: In;
  output: Out;
  /** A minimal valid request: the required fields only, with sample values. */
  example: z.input<In>;
  requirements: readonly Requirement[];
  pricing: readonly PricingTier[];
  /** Run timeout when the request does not change it. */
  timeout_seconds: number;
  /** How many of these jobs one miner should run at once. */
  max_concurrent: number;
  /** Hardware needs of this particular request, merged with `requirements` (stricter wins). */
  constraintsFor?(input: z.output<In>): JobConstraints;
  /** Run timeout of this particular request, replacing `timeout_seconds`. */
  timeoutFor?(input: z.output<In>): number;
  /** Expected charge in AITBC, or null when it depends on something unknown before the run. */
  estimatePrice?(input: z.output<In>): number | null;
}

/** Typed helper: infers the input type for the hooks. */
export function defineService<In extends z.ZodType, Out extends z.ZodType>(
  def: ServiceDefinition<In, Out>,
): ServiceDefinition<In, Out> {
  return def;
}
