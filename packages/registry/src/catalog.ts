import { type FieldIssue, type JobConstraints, zodIssues } from '@aitbc/contracts';
import { z } from 'zod';
import { mergeConstraints, requirementsToConstraints } from './constraints.js';
import { MAX_TIMEOUT_SECONDS } from './helpers.js';
import { AI_ML_SERVICES } from './services/ai-ml.js';
import { DATA_ANALYTICS_SERVICES } from './services/data-analytics.js';
import { DEV_TOOLS_SERVICES } from './services/dev-tools.js';
import { GAMING_SERVICES } from './services/gaming.js';
import { MEDIA_SERVICES } from './services/media.js';
import { SCIENTIFIC_SERVICES } from './services/scientific.js';
import { SERVICE_CATEGORIES, type ServiceCategory, type ServiceDefinition } from './types.js';

export const SERVICES: readonly ServiceDefinition[] = [
  ...AI_ML_SERVICES,
  ...MEDIA_SERVICES,
  ...SCIENTIFIC_SERVICES,
  ...DATA_ANALYTICS_SERVICES,
  ...GAMING_SERVICES,
  ...DEV_TOOLS_SERVICES,
];

/** Index by id; a duplicate id (the original had two `physics_simulation`) is refused loudly. */
export function indexById(
  services: readonly ServiceDefinition[],
): ReadonlyMap<string, ServiceDefinition> {
  const byId = new Map<string, ServiceDefinition>();
  for (const s of services) {
    if (byId.has(s.id)) throw new Error(`duplicate service id "${s.id}"`);
    byId.set(s.id, s);
  }
  return byId;
}

const BY_ID = indexById(SERVICES);

export function getService(id: string): ServiceDefinition | undefined {
  return BY_ID.get(id);
}

export interface ListServicesOptions {
  category?: ServiceCategory | undefined;
  /** Whitespace-separated terms; each must occur (case-insensitively) in the id, name, description or a tag. */
  search?: string | undefined;
}

export function listServices(options: ListServicesOptions = {}): ServiceDefinition[] {
  const terms = (options.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return SERVICES.filter((s) => {
    if (options.category !== undefined && s.category !== options.category) return false;
    const text = [s.id, s.name, s.description, ...s.tags].join('\n').toLowerCase();
    return terms.every((t) => text.includes(t));
  });
}

export function categories(): { category: ServiceCategory; count: number }[] {
  return SERVICE_CATEGORIES.map((category) => ({
    category,
    count: SERVICES.filter((s) => s.category === category).length,
  }));
}

/** A JSON Schema (draft 2020-12) of what a job payload for this service may be; undefined if unknown. */
export function serviceJsonSchema(id: string): Record<string, unknown> | undefined {
  const service = getService(id);
  if (!service) return undefined;
  return {
    ...z.toJSONSchema(service.input, { io: 'input' }),
    title: service.name,
    description: service.description,
    examples: [service.example],
  };
}

/** Requirements plus the request's own needs; the stricter value wins. */
export function constraintsForRequest(service: ServiceDefinition, input: unknown): JobConstraints {
  const base = requirementsToConstraints(service.requirements);
  return service.constraintsFor ? mergeConstraints(base, service.constraintsFor(input)) : base;
}

/** The run timeout of this request in whole seconds, at most MAX_TIMEOUT_SECONDS. */
export function timeoutForRequest(service: ServiceDefinition, input: unknown): number {
  const seconds = service.timeoutFor?.(input) ?? service.timeout_seconds;
  return Math.min(MAX_TIMEOUT_SECONDS, Math.max(1, Math.ceil(seconds)));
}

export function priceForRequest(service: ServiceDefinition, input: unknown): number | null {
  return service.estimatePrice?.(input) ?? null;
}

export type ValidationResult =
  | { ok: true; service: ServiceDefinition; value: unknown }
  | { ok: false; reason: 'unknown_service' | 'invalid_input'; issues: FieldIssue[] };

/** Validate a job payload against a service's input schema; `value` has the defaults applied. */
export function validateServiceInput(id: string, payload: unknown): ValidationResult {
  const service = getService(id);
  if (!service) {
    return {
      ok: false,
      reason: 'unknown_service',
      issues: [{ path: 'service', message: `unknown service "${id}"` }],
    };
  }
  const parsed = service.input.safeParse(payload);
  return parsed.success
    ? { ok: true, service, value: parsed.data }
    : { ok: false, reason: 'invalid_input', issues: zodIssues(parsed.error) };
}

/** Expected charge in AITBC of a payload, or null (unknown service, invalid input, no estimate). */
export function estimatePrice(id: string, payload: unknown): number | null {
  const result = validateServiceInput(id, payload);
  return result.ok ? priceForRequest(result.service, result.value) : null;
}

export interface ServiceJobPlan {
  service: ServiceDefinition;
  /** The payload with defaults applied: what the miner receives. */
  payload: unknown;
  constraints: JobConstraints;
  timeout_seconds: number;
  estimated_price: number | null;
}

/** Everything a job for this service needs, from one validation of its payload. */
export function planServiceJob(
  id: string,
  payload: unknown,
): ({ ok: true } & ServiceJobPlan) | Extract<ValidationResult, { ok: false }> {
  const result = validateServiceInput(id, payload);
  if (!result.ok) return result;
  const { service, value } = result;
  return {
    ok: true,
    service,
    payload: value,
    constraints: constraintsForRequest(service, value),
    timeout_seconds: timeoutForRequest(service, value),
    estimated_price: priceForRequest(service, value),
  };
}
