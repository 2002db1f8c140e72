import {
  type TrustedKeys,
  type VerifyFailure,
  type VerifyResult,
  verifyReceipt,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookVerifyFailure,
  type WebhookVerifyResult,
} from '@aitbc/receipts';
import type { PublishedKeys } from './types.js';

export type {
  VerifyFailure,
  VerifyResult,
  WebhookHeaders,
  WebhookVerifyFailure,
  WebhookVerifyResult,
};

/**
 * Checks a receipt against keys the caller already holds (the JWK Set of GET /v1/receipts/keys),
 * without any network: for verifiers that fetched the keys once from the coordinator they trust.
 */
export function verifyReceiptOffline(
  receipt: unknown,
  keys: PublishedKeys | TrustedKeys,
): VerifyResult {
  return verifyReceipt(receipt, keys);
}

/**
 * Checks a webhook delivery (Standard Webhooks headers and the raw body, as received) against
 * keys the caller already holds (the JWK Set of GET /v1/receipts/keys), without any network.
 */
export function verifyWebhookOffline(
  headers: WebhookHeaders,
  body: string,
  keys: PublishedKeys | TrustedKeys,
): WebhookVerifyResult {
  return verifyWebhook(headers, body, keys);
}

/**
 * The coordinator's published keys (GET /v1/receipts/keys), fetched once and cached. A failed
 * fetch is not cached: the next call tries again.
 */
function keyCache(fetchKeys: () => Promise<PublishedKeys>) {
  let cached: Promise<PublishedKeys> | undefined;
  return {
    get fetched() {
      return cached !== undefined;
    },
    keys(refresh: boolean): Promise<PublishedKeys> {
      if (refresh || !cached) {
        const fetching = fetchKeys();
        cached = fetching;
        fetching.catch(() => {
          if (cached === fetching) cached = undefined;
        });
      }
      return cached;
    },
  };
}

/**
 * Verifies receipts and webhook deliveries against the coordinator's published keys, fetched
 * once and cached. A receipt naming a key the cache does not know, or a webhook no cached key
 * verifies, makes one refetch (the coordinator may have rotated its key since); trust still
 * comes only from the published set.
 */
export function createVerifiers(fetchKeys: () => Promise<PublishedKeys>) {
  const cache = keyCache(fetchKeys);
  return {
    async receipt(receipt: unknown): Promise<VerifyResult> {
      const fresh = !cache.fetched;
      const first = verifyReceipt(receipt, await cache.keys(false));
      if (first.ok || first.reason !== 'UNTRUSTED_KEY' || fresh) return first;
      return verifyReceipt(receipt, await cache.keys(true));
    },
    async webhook(headers: WebhookHeaders, body: string): Promise<WebhookVerifyResult> {
      const fresh = !cache.fetched;
      const first = verifyWebhook(headers, body, await cache.keys(false));
      if (first.ok || first.reason !== 'BAD_SIGNATURE' || fresh) return first;
      return verifyWebhook(headers, body, await cache.keys(true));
    },
  };
}
