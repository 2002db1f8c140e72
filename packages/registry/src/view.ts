import { JsonObject } from '@aitbc/contracts';
import { z } from 'zod';
import { TYPED_ENDPOINTS } from './typed-requests.js';
import { PricingTier, Requirement, ServiceCategory, type ServiceDefinition } from './types.js';

/** A registry service on the wire: the definition without its zod schemas and hooks. */
export const ServiceView = z.object({
  id: z.string(),
  name: z.string(),
  category: ServiceCategory,
  description: z.string(),
  version: z.string(),
  tags: z.array(z.string()),
  requirements: z.array(Requirement),
  pricing: z.array(PricingTier),
  timeout_seconds: z.number().int().describe('run timeout unless the request changes it'),
  max_concurrent: z.number().int(),
  typed_endpoint: z
    .string()
    .nullable()
    .describe('the typed endpoint that creates jobs of this service, if any'),
  example: JsonObject.describe('a minimal valid payload; the full schema is at …/{id}/schema'),
});
export type ServiceView = z.infer<typeof ServiceView>;

export function toServiceView(def: ServiceDefinition): ServiceView {
  return {
    id: def.id,
    name: def.name,
    category: def.category,
    description: def.description,
    version: def.version,
    tags: [...def.tags],
    requirements: def.requirements.map((r) => ({ ...r })),
    pricing: def.pricing.map((p) => ({ ...p })),
    timeout_seconds: def.timeout_seconds,
    max_concurrent: def.max_concurrent,
    typed_endpoint: TYPED_ENDPOINTS.find((e) => e.registryId === def.id)?.path ?? null,
    example: structuredClone(def.example) as Record<string, unknown>,
  };
}

export const CategoryCount = z.object({ category: ServiceCategory, count: z.number().int() });

/** One line of GET /v1/services. */
export const TypedEndpointView = z.object({
  service: z.string(),
  method: z.literal('POST'),
  path: z.string(),
  description: z.string(),
});
export type TypedEndpointView = z.infer<typeof TypedEndpointView>;

export function typedEndpointViews(): TypedEndpointView[] {
  return TYPED_ENDPOINTS.map(({ service, method, path, description }) => ({
    service,
    method,
    path,
    description,
  }));
}

/** Query of GET /v1/registry/services. */
export const ListServicesQuery = z.strictObject({
  category: ServiceCategory.optional(),
  search: z.string().trim().max(200).optional(),
});

/** Path parameter of GET /v1/registry/services/{id}/…. */
export const ServiceIdInput = z.strictObject({ id: z.string().min(1).max(64) });

export const ServiceRequirementsView = z.object({ requirements: z.array(Requirement) });
export const ServicePricingView = z.object({ pricing: z.array(PricingTier) });
/** A JSON Schema document: any object (its shape is JSON Schema's, not ours). */
export const JsonSchemaView = z.record(z.string(), z.unknown());
