import { AppError } from '@aitbc/contracts';
import {
  categories,
  getService,
  type ListServicesOptions,
  listServices,
  type ServiceDefinition,
  type ServiceView,
  serviceJsonSchema,
  toServiceView,
  typedEndpointViews,
} from '@aitbc/registry';

/** The service registry as the API serves it: static data, no database. */

function serviceOr404(id: string): ServiceDefinition {
  const service = getService(id);
  if (!service) throw new AppError('NOT_FOUND', `service ${id} not found`);
  return service;
}

export function listCatalog(options: ListServicesOptions): { items: ServiceView[] } {
  return { items: listServices(options).map(toServiceView) };
}

export function catalogEntry(id: string): ServiceView {
  return toServiceView(serviceOr404(id));
}

export function catalogSchema(id: string): Record<string, unknown> {
  return serviceJsonSchema(serviceOr404(id).id) as Record<string, unknown>;
}

export function catalogRequirements(id: string) {
  return { requirements: serviceOr404(id).requirements.map((r) => ({ ...r })) };
}

export function catalogPricing(id: string) {
  return { pricing: serviceOr404(id).pricing.map((p) => ({ ...p })) };
}

export function catalogCategories() {
  return { items: categories() };
}

export function typedEndpointList() {
  return { items: typedEndpointViews() };
}
