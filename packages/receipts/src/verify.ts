import { base64urlDecode } from './base64url.js';
import { ed } from './ed25519.js';
import {
  assertUsablePublicKey,
  type Ed25519Jwk,
  type JwkSet,
  jwkToPublicKey,
  keyIdOf,
} from './keys.js';
import { receiptSigningBytes } from './receipt.js';

/** key_id -> raw public key. Build it once with trustedKeyMap when verifying many receipts. */
export type TrustedKeyMap = ReadonlyMap<string, Uint8Array>;

export type TrustedKeys = JwkSet | readonly Ed25519Jwk[] | readonly Uint8Array[] | TrustedKeyMap;

export type VerifyFailure = 'MALFORMED' | 'UNTRUSTED_KEY' | 'BAD_SIGNATURE' | 'UNSUPPORTED_ALG';

export type VerifyResult =
  | { ok: true; keyId: string; attestations: { keyId: string; ok: boolean }[] }
  | { ok: false; reason: VerifyFailure };

/**
 * Validates a trusted key set and indexes it by key id. Throws on a malformed Ed25519 entry: this
 * is configuration, and a typo in it should fail at startup rather than reject every receipt.
 * JWKs of other key types are skipped, as RFC 7517 §5 asks, so a published set can grow new
 * algorithms without breaking older verifiers.
 */
export function trustedKeyMap(trusted: TrustedKeys): TrustedKeyMap {
  return buildKeyMap(trusted, true);
}

/**
 * Verifies a receipt against keys the caller trusts. The key_id in the receipt only selects
 * among those keys; a receipt can name any key, so an unknown one is UNTRUSTED_KEY even when the
 * signature is mathematically valid for it.
 *
 * Never throws: anything that cannot be checked is MALFORMED. Attestations are checked against
 * the same trusted set and reported one by one; a bad attestation does not invalidate the
 * receipt, and callers that count attestations should dedupe keyIds and decide whether the
 * coordinator's own key counts.
 */
export function verifyReceipt(receipt: unknown, trusted: TrustedKeys): VerifyResult {
  try {
    return verifyOrThrow(receipt, buildKeyMap(trusted, false));
  } catch {
    // Getters, proxies or values JSON cannot represent inside the receipt.
    return { ok: false, reason: 'MALFORMED' };
  }
}

/** Verifies a base64url signature over bytes; false (never a throw) for any malformed input. */
export function verifyDetached(
  bytes: Uint8Array,
  sigB64url: string,
  publicKey: Uint8Array,
): boolean {
  try {
    const sig = base64urlDecode(sigB64url);
    // zip215: false = strict RFC 8032 (canonical encodings, no small-order keys). noble's
    // default is the more permissive ZIP-215 rule set, meant for consensus systems.
    return ed.verify(sig, bytes, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function verifyOrThrow(receipt: unknown, trusted: TrustedKeyMap): VerifyResult {
  if (typeof receipt !== 'object' || receipt === null || Array.isArray(receipt)) {
    return { ok: false, reason: 'MALFORMED' };
  }
  const { signature, attestations } = receipt as Record<string, unknown>;
  if (attestations !== undefined && !Array.isArray(attestations)) {
    return { ok: false, reason: 'MALFORMED' };
  }
  // Computed only once a trusted key needs it, then shared with the attestations.
  let bytes: Uint8Array | undefined;
  const signingBytes = () => {
    bytes ??= receiptSigningBytes(receipt);
    return bytes;
  };
  const main = checkSignature(signature, trusted, signingBytes);
  if (main.reason) return { ok: false, reason: main.reason };
  return {
    ok: true,
    keyId: main.keyId,
    attestations: (attestations ?? []).map((attestation) => {
      const result = checkSignature(attestation, trusted, signingBytes);
      return { keyId: result.keyId, ok: result.reason === undefined };
    }),
  };
}

function checkSignature(
  signature: unknown,
  trusted: TrustedKeyMap,
  signingBytes: () => Uint8Array,
): { keyId: string; reason?: VerifyFailure } {
  if (typeof signature !== 'object' || signature === null) {
    return { keyId: '', reason: 'MALFORMED' };
  }
  const { alg, key_id: keyId, sig } = signature as Record<string, unknown>;
  if (typeof alg !== 'string' || typeof keyId !== 'string' || typeof sig !== 'string') {
    return { keyId: typeof keyId === 'string' ? keyId : '', reason: 'MALFORMED' };
  }
  if (alg !== 'Ed25519') return { keyId, reason: 'UNSUPPORTED_ALG' };
  let sigBytes: Uint8Array;
  try {
    sigBytes = base64urlDecode(sig);
  } catch {
    return { keyId, reason: 'MALFORMED' };
  }
  if (sigBytes.length !== 64) return { keyId, reason: 'MALFORMED' };
  const publicKey = trusted.get(keyId);
  if (!publicKey) return { keyId, reason: 'UNTRUSTED_KEY' };
  const ok = ed.verify(sigBytes, signingBytes(), publicKey, { zip215: false });
  return ok ? { keyId } : { keyId, reason: 'BAD_SIGNATURE' };
}

// In verifyReceipt (strict = false) an unusable entry is skipped instead of thrown: it can
// then only make receipts UNTRUSTED_KEY, which fails closed.
function buildKeyMap(trusted: TrustedKeys, strict: boolean): TrustedKeyMap {
  if (trusted instanceof Map) return trusted;
  const entries = Array.isArray(trusted) ? trusted : (trusted as JwkSet | null)?.keys;
  if (!Array.isArray(entries)) {
    if (strict) throw new Error('trusted keys must be a JWK Set, an array or a Map');
    return new Map();
  }
  const map = new Map<string, Uint8Array>();
  for (const entry of entries as unknown[]) {
    try {
      if (!(entry instanceof Uint8Array) && !isEd25519OrMalformed(entry)) continue;
      const publicKey = entry instanceof Uint8Array ? entry : jwkToPublicKey(entry);
      assertUsablePublicKey(publicKey);
      map.set(keyIdOf(publicKey), publicKey);
    } catch (error) {
      if (strict) throw error;
    }
  }
  return map;
}

// False only for a well-formed JWK of another key type (RSA, EC, X25519, ...): those are skipped.
// Everything else goes to jwkToPublicKey, which explains what is wrong with it.
function isEd25519OrMalformed(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null) return true;
  const { kty, crv } = entry as Record<string, unknown>;
  return kty === 'OKP' ? crv === undefined || crv === 'Ed25519' : kty === undefined;
}
