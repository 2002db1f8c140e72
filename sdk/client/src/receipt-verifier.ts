import {
  type TrustedKeys,
  type VerifyFailure,
  type VerifyResult,
  verifyReceipt,
} from '@aitbc/receipts';
import type { PublishedKeys } from './types.js';

export type { VerifyFailure, VerifyResult };

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
 * Verifies receipts against the coordinator's published keys (GET /v1/receipts/keys), fetched
 * once and cached. A receipt naming a key the cache does not know makes one refetch (the
 * coordinator may have rotated its key since); trust still comes only from the published set.
 */
export function createReceiptVerifier(fetchKeys: () => Promise<PublishedKeys>) {
  let cached: Promise<PublishedKeys> | undefined;
  const keys = (refresh: boolean) => {
    if (refresh || !cached) {
      const fetching = fetchKeys();
      cached = fetching;
      // A failed fetch is not cached: the next call tries again.
      fetching.catch(() => {
        if (cached === fetching) cached = undefined;
      });
    }
    return cached;
  };
  return async (receipt: unknown): Promise<VerifyResult> => {
    const fresh = cached === undefined;
    const first = verifyReceipt(receipt, await keys(false));
    if (first.ok || first.reason !== 'UNTRUSTED_KEY' || fresh) return first;
    return verifyReceipt(receipt, await keys(true));
  };
}
