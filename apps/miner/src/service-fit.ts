import {
  CONSTRAINT_CHECKS,
  CONSTRAINT_NAMES,
  type ConstraintKey,
  type MinerCapabilities,
  toProfile,
  toRequirements,
} from '@aitbc/contracts';
import { getService, requirementsToConstraints } from '@aitbc/registry';

/**
 * The first base requirement of a registry service this miner fails (`gpu`, `cuda`, ...), or
 * null when the coordinator can hand it that service's jobs. Requests may ask for more (a bigger
 * model needs more VRAM), so null means "some jobs fit", not "every job fits".
 */
export function unmetRequirement(
  serviceId: string,
  capabilities: MinerCapabilities,
  region?: string,
): ConstraintKey | null {
  const service = getService(serviceId);
  if (!service) return null;
  const needs = toRequirements(requirementsToConstraints(service.requirements), serviceId);
  const profile = toProfile({ ...capabilities, services: [serviceId] }, region ?? null);
  return CONSTRAINT_NAMES.find((name) => !CONSTRAINT_CHECKS[name](needs, profile)) ?? null;
}
