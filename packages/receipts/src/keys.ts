import { base64urlDecode, base64urlEncode } from './base64url.js';
import { ed } from './ed25519.js';

/** A published Ed25519 public key (RFC 8037). `kid` and `x` are both the receipt key_id. */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  kid: string;
  x: string;
}

export interface JwkSet {
  keys: Ed25519Jwk[];
}

const SEED_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;
const HEX = /^[0-9a-fA-F]*$/;

/**
 * Parses a signing key given as a 32-byte seed in hex, or as seed ‖ public key (128 hex chars,
 * the libsodium/tweetnacl "secret key" layout). In the long form the public half is checked
 * against the seed: Node's PKCS#8 import would silently ignore it, so a pasted key pair with the
 * wrong public half would otherwise sign under a key id nobody expects.
 *
 * Error messages describe the problem but never contain the key text.
 */
export function parseSeedHex(hex: string): { seed: Uint8Array; publicKey: Uint8Array } {
  if (typeof hex !== 'string') {
    throw new TypeError(`Ed25519 signing key must be a hex string, got ${typeof hex}`);
  }
  if (hex.length !== 2 * SEED_BYTES && hex.length !== 2 * (SEED_BYTES + PUBLIC_KEY_BYTES)) {
    throw new Error(
      `Ed25519 signing key must be 64 hex characters (seed) or 128 (seed followed by public key), got ${hex.length} characters`,
    );
  }
  if (!HEX.test(hex)) {
    throw new Error('Ed25519 signing key contains characters that are not hexadecimal');
  }
  const bytes = ed.etc.hexToBytes(hex.toLowerCase());
  const seed = bytes.slice(0, SEED_BYTES);
  const publicKey = ed.getPublicKey(seed);
  if (bytes.length > SEED_BYTES && !equalBytes(bytes.subarray(SEED_BYTES), publicKey)) {
    throw new Error(
      'Ed25519 signing key: the last 64 hex characters are not the public key of the first 64',
    );
  }
  bytes.fill(0);
  return { seed, publicKey };
}

/** The receipt `key_id`: base64url (no padding) of the raw 32-byte public key. */
export function keyIdOf(publicKey: Uint8Array): string {
  assertPublicKeyLength(publicKey);
  return base64urlEncode(publicKey);
}

export function publicKeyToJwk(publicKey: Uint8Array): Ed25519Jwk {
  const keyId = keyIdOf(publicKey);
  return { kty: 'OKP', crv: 'Ed25519', kid: keyId, x: keyId };
}

/**
 * Validates a published JWK and returns the raw public key. Takes `unknown` because key sets
 * arrive as parsed JSON. A JWK carrying `d` is refused: it would mean a private key was published.
 */
export function jwkToPublicKey(jwk: unknown): Uint8Array {
  if (typeof jwk !== 'object' || jwk === null) throw new Error('JWK must be an object');
  const { kty, crv, x, kid, d } = jwk as Record<string, unknown>;
  if (kty !== 'OKP' || crv !== 'Ed25519') {
    throw new Error('JWK is not an Ed25519 key (expected kty "OKP" and crv "Ed25519")');
  }
  if (d !== undefined) throw new Error('JWK contains private key material ("d")');
  if (typeof x !== 'string') throw new Error('JWK "x" must be a string');
  let publicKey: Uint8Array;
  try {
    publicKey = base64urlDecode(x);
  } catch {
    throw new Error('JWK "x" is not unpadded base64url');
  }
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new Error('JWK "x" must encode 32 bytes');
  if (kid !== undefined && kid !== x) throw new Error('JWK "kid" must equal "x" (the key id)');
  assertUsablePublicKey(publicKey, 'JWK "x"');
  return publicKey;
}

/**
 * Strict verification (zip215: false) rejects every signature for a key that is not a canonical
 * curve point or has small order; refusing such a key when it is configured turns a silent
 * "nothing verifies" into an error that names the problem.
 */
export function assertUsablePublicKey(publicKey: Uint8Array, what = 'Ed25519 public key'): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new Error(`${what} must be 32 bytes`);
  }
  let point: InstanceType<typeof ed.Point>;
  try {
    point = ed.Point.fromBytes(publicKey, false);
  } catch {
    throw new Error(`${what} is not a valid Ed25519 public key`);
  }
  if (point.isSmallOrder()) throw new Error(`${what} is a small-order point, not a usable key`);
}

function assertPublicKeyLength(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new Error('Ed25519 public key must be 32 bytes');
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
