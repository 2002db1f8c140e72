import {
  AppError,
  type FieldIssue,
  type JobConstraints,
  type JobRequirements,
  type SubmitJobInput,
  toRequirements,
} from '@aitbc/contracts';
import { mergeConstraints, planServiceJob } from '@aitbc/registry';
import type { Config } from '../config/config.js';

/** What a submitted job will be: the same for a real submit and a dry run (explain). */
export interface JobPlan {
  service: string | null;
  /** What the miner receives: with a service, its defaults applied. */
  payload: Record<string, unknown>;
  /** The effective constraints: the service's needs merged with the client's. */
  constraints: JobConstraints;
  requirements: JobRequirements;
  timeoutSeconds: number;
  estimatedPrice: number | null;
}

/**
 * Without `service` the job is the client's as sent. With one, the payload must pass the
 * service's input schema (issues at `payload.<field>`; an unknown service is a 404), the
 * service's hardware needs for this request are merged with the client's constraints (the
 * stricter value wins; see mergeConstraints), and its run timeout applies unless the client set
 * one.
 */
export function planJob(config: Config, input: SubmitJobInput): JobPlan {
  const clientConstraints = input.constraints ?? {};
  if (input.service === undefined) {
    return {
      service: null,
      payload: input.payload,
      constraints: clientConstraints,
      requirements: toRequirements(clientConstraints),
      timeoutSeconds: input.timeout_seconds ?? config.jobTimeoutSeconds,
      estimatedPrice: null,
    };
  }
  const plan = planServiceJob(input.service, input.payload);
  if (!plan.ok) {
    if (plan.reason === 'unknown_service')
      throw new AppError('NOT_FOUND', `service ${input.service} not found`);
    throw invalidPayload(input.service, plan.issues);
  }
  const constraints = mergeConstraints(plan.constraints, clientConstraints);
  return {
    service: plan.service.id,
    payload: plan.payload as Record<string, unknown>,
    constraints,
    requirements: toRequirements(constraints, plan.service.id),
    timeoutSeconds: input.timeout_seconds ?? plan.timeout_seconds,
    estimatedPrice: plan.estimated_price,
  };
}

function invalidPayload(service: string, issues: FieldIssue[]): AppError {
  const prefixed = issues.map((i) => ({
    path: i.path === '(root)' ? 'payload' : `payload.${i.path}`,
    message: i.message,
  }));
  const first = prefixed[0];
  return new AppError(
    'VALIDATION_FAILED',
    first ? `${first.path}: ${first.message}` : `invalid payload for service ${service}`,
    prefixed,
  );
}
