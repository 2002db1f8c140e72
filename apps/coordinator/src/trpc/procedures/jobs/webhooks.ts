import { LIMITS, ListWebhookDeliveriesInput, WebhookDeliveryPage } from '@aitbc/contracts';
import { listWebhookDeliveries } from '../../../services/webhooks/webhook-queries.js';
import { clientProcedure } from '../../trpc.js';
import { rest } from '../meta.js';

export const webhooks = clientProcedure
  .meta(
    rest('GET', '/v1/jobs/{job_id}/webhooks', 'jobs', "The job's webhook deliveries", {
      description:
        'One delivery per event sent to the webhook_url, oldest first, with every attempt. ' +
        'A delivery is retried with backoff until the receiver answers 2xx or ' +
        'WEBHOOK_MAX_ATTEMPTS are used; every attempt carries the same webhook-id.',
      errorResponses: { 404: 'Unknown job' },
    }),
  )
  .input(ListWebhookDeliveriesInput)
  .output(WebhookDeliveryPage)
  .query(({ ctx, input }) =>
    listWebhookDeliveries(
      ctx.services,
      ctx.principal.id,
      input.job_id,
      input.limit ?? LIMITS.listDefault,
      input.cursor,
    ),
  );
