import { zodIssues } from '@aitbc/contracts';
import { JobError } from '@aitbc/miner';
import type { z } from 'zod';

/**
 * Validates a payload with a registry service's input schema (defaults applied). The coordinator
 * already validated it at submit; checking again protects the executor from an older or foreign
 * coordinator, and gives it the typed, defaults-applied request.
 */
export function parsePayload<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const detail = zodIssues(parsed.error)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new JobError('INVALID_PAYLOAD', `payload does not match the service schema: ${detail}`);
}
