import { AppError, DEFAULT_WEBHOOK_EVENTS, type SubmitJobInput } from '@aitbc/contracts';
import type { ServiceContext } from '../context.js';
import { resolveWebhookTarget, WebhookTargetError } from './address-policy.js';

export interface JobWebhook {
  url: string;
  events: string[];
}

/**
 * The webhook a submit asks for, or null. The URL's host must resolve to public addresses only
 * (unless WEBHOOK_ALLOW_PRIVATE): a 400 naming `webhook_url` now is clearer than deliveries
 * failing later. Deliveries check again (address-policy.ts), since DNS can change.
 */
export async function jobWebhookOf(
  ctx: ServiceContext,
  input: Pick<SubmitJobInput, 'webhook_url' | 'webhook_events'>,
): Promise<JobWebhook | null> {
  if (input.webhook_url === undefined) {
    if (input.webhook_events === undefined) return null;
    throw invalid('webhook_events', 'webhook_events needs a webhook_url');
  }
  try {
    await resolveWebhookTarget(new URL(input.webhook_url), ctx.config.webhooks.allowPrivate);
  } catch (err) {
    if (err instanceof WebhookTargetError) throw invalid('webhook_url', err.message);
    throw err;
  }
  return {
    url: input.webhook_url,
    events: [...new Set(input.webhook_events ?? DEFAULT_WEBHOOK_EVENTS)],
  };
}

const invalid = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);
