import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { keyIdOf, parseSeedHex, publicKeyToJwk } from './keys.js';
import type { AsyncReceiptSigner, Ed25519Signer } from './sign.js';

// PKCS#8 PrivateKeyInfo for Ed25519 (RFC 8410) is this fixed 16-byte prefix followed by the
// 32-byte seed, so no ASN.1 encoder is needed.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Server-side signer on node:crypto (OpenSSL), much faster than pure JS. The key is imported once
 * into a KeyObject; each sign() call only signs. Accepts the same 64/128-hex forms as parseSeedHex,
 * which also does the seed ‖ public key consistency check that the PKCS#8 import would skip.
 */
export function createNodeSigner(seedHex: string): Ed25519Signer & AsyncReceiptSigner {
  const { seed, publicKey } = parseSeedHex(seedHex);
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  const keyObject = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  // createPrivateKey copied the key; don't leave extra copies of it in the JS heap.
  der.fill(0);
  seed.fill(0);

  // Cross-check OpenSSL's view of the key with noble's, once: a wrong DER prefix or a
  // different seed interpretation would otherwise publish a key id that verifies nothing.
  const spki = createPublicKey(keyObject).export({ format: 'der', type: 'spki' });
  if (!Buffer.from(publicKey).equals(spki.subarray(spki.length - 32))) {
    throw new Error('node:crypto derived a different Ed25519 public key than expected');
  }

  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    jwk: publicKeyToJwk(publicKey),
    sign: (bytes) => sign(null, bytes, keyObject),
    // With a callback, node:crypto signs on its thread pool instead of the event loop.
    signAsync: (bytes) =>
      new Promise((resolve, reject) =>
        sign(null, bytes, keyObject, (err, signature) => (err ? reject(err) : resolve(signature))),
      ),
  };
}

/** A fresh random signing key as 64 hex characters (the form createNodeSigner accepts). */
export function generateSeedHex(): string {
  return randomBytes(32).toString('hex');
}

/**
 * canonicalSha256 of the main entry with OpenSSL's SHA-256 instead of the pure-JS one: the same
 * hex for every value (node.test.ts checks), several times faster on the server's hot path.
 */
export function canonicalSha256(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
