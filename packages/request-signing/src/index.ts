/**
 * HMAC request signing (contract §8a), shared by the SDKs that sign and the coordinator that
 * verifies, so both build the signed string the same way. The API key is the HMAC secret and is
 * never sent. Pure JS (noble) so that it runs in browsers too.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** A timestamp further than this from the verifier's clock is refused (SIGNATURE_EXPIRED). */
export const SIGNATURE_MAX_SKEW_SECONDS = 300;
/** Nonces shorter than this are refused: 16 random characters make collisions negligible. */
export const NONCE_MIN_LENGTH = 16;
export const SIGNATURE_SCHEME = 'v1';

export const SIGNATURE_HEADERS = {
  keyId: 'x-api-key-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
} as const;

export interface SignedParts {
  method: string;
  /** The request target exactly as sent: the path, plus `?query` only when there is a query. */
  target: string;
  /** Epoch seconds, as sent in X-Timestamp. */
  timestamp: string;
  nonce: string;
  /** The raw body as sent; an absent body signs as the empty string. */
  body?: string | Uint8Array | undefined;
}

const bytesOf = (value: string | Uint8Array): Uint8Array =>
  typeof value === 'string' ? utf8ToBytes(value) : value;

/** `METHOD\nTARGET\nTIMESTAMP\nNONCE\nSHA256HEX(body)`: the string the HMAC covers. */
export function signingString(parts: SignedParts): string {
  const bodyHash = bytesToHex(sha256(bytesOf(parts.body ?? '')));
  return [parts.method.toUpperCase(), parts.target, parts.timestamp, parts.nonce, bodyHash].join(
    '\n',
  );
}

/** The lowercase hex HMAC-SHA256 of the signing string under `secret` (the API key). */
export function signatureHex(secret: string, parts: SignedParts): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8ToBytes(signingString(parts))));
}

export interface SignRequestInput {
  /** The principal name the key is configured under (`name:key`), sent as X-Api-Key-Id. */
  keyId: string;
  /** The API key itself: the HMAC secret. */
  secret: string;
  method: string;
  target: string;
  body?: string | Uint8Array | undefined;
  /** Epoch milliseconds; defaults to Date.now(). */
  now?: number;
  nonce?: string;
}

/** The four headers that sign one request. Send the body byte for byte as passed here. */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const timestamp = String(Math.floor((input.now ?? Date.now()) / 1000));
  const nonce = input.nonce ?? bytesToHex(randomBytes(16));
  const parts = { method: input.method, target: input.target, timestamp, nonce, body: input.body };
  return {
    [SIGNATURE_HEADERS.keyId]: input.keyId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: `${SIGNATURE_SCHEME}=${signatureHex(input.secret, parts)}`,
  };
}

/**
 * Whether `header` (`v1=<hex>`) is the signature of `parts` under `secret`. The comparison takes
 * the same time wherever the first difference is, so it does not leak how much of a guess matched.
 */
export function signatureMatches(secret: string, parts: SignedParts, header: string): boolean {
  return signatureVerifier(secret)(parts, header);
}

export type SignatureVerifier = (parts: SignedParts, header: string) => boolean;

/**
 * `signatureMatches` for one secret, keyed once: it keeps only the HMAC's keyed inner and outer
 * hash states, not the secret itself, so a verifier that lives for the whole process (a server's
 * key ring) neither holds the API key nor re-derives the HMAC key on every request.
 */
export function signatureVerifier(secret: string): SignatureVerifier {
  const keyed = hmac.create(sha256, utf8ToBytes(secret));
  const prefix = `${SIGNATURE_SCHEME}=`;
  return (parts, header) => {
    if (!header.startsWith(prefix)) return false;
    const mac = keyed
      .clone()
      .update(utf8ToBytes(signingString(parts)))
      .digest();
    return constantTimeEqual(header.slice(prefix.length).toLowerCase(), bytesToHex(mac));
  };
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
