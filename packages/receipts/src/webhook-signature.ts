import { base64urlDecode, base64urlEncode } from './base64url.js';
import { ed } from './ed25519.js';
import type { ReceiptSigner } from './sign.js';
import { type TrustedKeys, trustedKeyMap } from './verify.js';

/**
 * Standard Webhooks (standardwebhooks.com) with Ed25519, the asymmetric `v1a` scheme: the
 * signature covers `${webhook-id}.${webhook-timestamp}.${body}` and is sent as
 * `webhook-signature: v1a,<base64>`. The coordinator signs with its receipt key, so a receiver
 * verifies with the keys published at /v1/receipts/keys and needs no shared secret.
 */
export const WEBHOOK_SIGNATURE_VERSION = 'v1a';

/** How far `webhook-timestamp` may be from the receiver's clock: the replay window. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

/** The signed bytes: UTF-8 of `id.timestamp.body`, the body exactly as sent. */
export function webhookSigningBytes(id: string, timestamp: number, body: string): Uint8Array {
  return encoder.encode(`${id}.${timestamp}.${body}`);
}

/** The `webhook-signature` header value for one delivery. */
export function signWebhook(
  signer: ReceiptSigner,
  id: string,
  timestamp: number,
  body: string,
): string {
  const sig = signer.sign(webhookSigningBytes(id, timestamp, body));
  return `${WEBHOOK_SIGNATURE_VERSION},${base64Encode(sig)}`;
}

export type WebhookHeaders =
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

export type WebhookVerifyFailure =
  | 'MISSING_HEADERS'
  | 'TIMESTAMP_OUT_OF_RANGE'
  | 'BAD_SIGNATURE'
  | 'UNTRUSTED_KEY';

export type WebhookVerifyResult =
  | { ok: true; id: string; timestamp: number; keyId: string }
  | { ok: false; reason: WebhookVerifyFailure };

export interface WebhookVerifyOptions {
  /** The receiver's clock, epoch seconds (default: now). */
  nowSeconds?: number;
  toleranceSeconds?: number;
}

/**
 * Verifies a delivery against keys the receiver trusts (the JWK Set of /v1/receipts/keys).
 * `body` must be the raw request body, not re-serialized JSON. Never throws. The header may
 * carry several space-separated signatures (key rotation): one valid `v1a` signature by a
 * trusted key is enough. A receiver should also drop a `webhook-id` it has already processed.
 */
export function verifyWebhook(
  headers: WebhookHeaders,
  body: string,
  trusted: TrustedKeys,
  options: WebhookVerifyOptions = {},
): WebhookVerifyResult {
  const id = headerOf(headers, 'webhook-id');
  const timestampText = headerOf(headers, 'webhook-timestamp');
  const signatures = headerOf(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures || !/^\d{1,15}$/.test(timestampText)) {
    return { ok: false, reason: 'MISSING_HEADERS' };
  }
  const timestamp = Number(timestampText);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS)) {
    return { ok: false, reason: 'TIMESTAMP_OUT_OF_RANGE' };
  }
  let keys: ReadonlyMap<string, Uint8Array>;
  try {
    keys = trustedKeyMap(trusted);
  } catch {
    return { ok: false, reason: 'UNTRUSTED_KEY' };
  }
  if (keys.size === 0) return { ok: false, reason: 'UNTRUSTED_KEY' };
  const bytes = webhookSigningBytes(id, timestamp, body);
  for (const entry of signatures.split(' ')) {
    const sig = decodeSignature(entry);
    if (!sig) continue;
    for (const [keyId, publicKey] of keys) {
      if (ed.verify(sig, bytes, publicKey, { zip215: false })) {
        return { ok: true, id, timestamp, keyId };
      }
    }
  }
  return { ok: false, reason: 'BAD_SIGNATURE' };
}

function headerOf(headers: WebhookHeaders, name: string): string | null {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name);
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function decodeSignature(entry: string): Uint8Array | null {
  const [version, encoded, ...rest] = entry.split(',');
  if (version !== WEBHOOK_SIGNATURE_VERSION || encoded === undefined || rest.length > 0) {
    return null;
  }
  try {
    const sig = base64Decode(encoded);
    return sig.length === 64 ? sig : null;
  } catch {
    return null;
  }
}

/** Standard base64 with padding (RFC 4648 §4), as Standard Webhooks sends signatures. */
export function base64Encode(bytes: Uint8Array): string {
  const url = base64urlEncode(bytes).replaceAll('-', '+').replaceAll('_', '/');
  return url.padEnd(Math.ceil(url.length / 4) * 4, '=');
}

/** Strict inverse of base64Encode: padding required, no URL-safe characters. */
export function base64Decode(text: string): Uint8Array {
  if (text.length % 4 !== 0 || /[-_]/.test(text)) throw new Error('base64: malformed');
  const unpadded = text.replace(/={1,2}$/, '');
  return base64urlDecode(unpadded.replaceAll('+', '-').replaceAll('/', '_'));
}
