import type { PricingTier, Requirement } from './types.js';

/** The longest run timeout a job may have (the contract's `timeout_seconds` cap on submit). */
export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

type Amount = { recommended?: number };

/** Requirement builders, so that every service spells units the same way. */
export const need = {
  gpu: (min: string, recommended?: string): Requirement =>
    recommended === undefined ? { component: 'gpu', min } : { component: 'gpu', min, recommended },
  vram: (min: number, o: Amount = {}): Requirement => ({
    component: 'vram',
    min,
    ...o,
    unit: 'GB',
  }),
  cuda: (min: string): Requirement => ({ component: 'cuda', min }),
  cpu: (min: number, o: Amount = {}): Requirement => ({
    component: 'cpu',
    min,
    ...o,
    unit: 'cores',
  }),
  ram: (min: number, o: Amount = {}): Requirement => ({ component: 'ram', min, ...o, unit: 'GB' }),
  storage: (min: number, o: Amount = {}): Requirement => ({
    component: 'storage',
    min,
    ...o,
    unit: 'GB',
  }),
  network: (min: number, o: Amount = {}): Requirement => ({
    component: 'network',
    min,
    ...o,
    unit: 'Mbps',
  }),
};

export function tier(
  model: PricingTier['model'],
  unit_price: number,
  extra: Omit<PricingTier, 'model' | 'unit_price' | 'currency'> = {},
): PricingTier {
  return { model, unit_price, currency: 'AITBC', ...extra };
}

/** `units × unit_price`, at least the tier's minimum charge, rounded to micro-AITBC. */
export function priced(units: number, t: PricingTier): number {
  const amount = Math.max(t.min_charge ?? 0, units * t.unit_price);
  return Math.round(amount * 1e6) / 1e6;
}

/** Whole seconds, within [60, MAX_TIMEOUT_SECONDS]. */
export function clampTimeout(seconds: number): number {
  return Math.min(MAX_TIMEOUT_SECONDS, Math.max(60, Math.ceil(seconds)));
}
