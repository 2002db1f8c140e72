import { base64urlEncode } from './base64url.js';
import { ed } from './ed25519.js';
import { type Ed25519Jwk, keyIdOf, parseSeedHex, publicKeyToJwk } from './keys.js';
import {
  RECEIPT_VERSION,
  type Receipt,
  type ReceiptSignature,
  receiptSigningBytes,
  stripNulls,
  type UnsignedReceipt,
  type UnsignedReceiptInput,
} from './receipt.js';

/** Anything that can produce an Ed25519 signature under `keyId` (noble, node:crypto, an HSM). */
export interface ReceiptSigner {
  keyId: string;
  sign(bytes: Uint8Array): Uint8Array;
}

/**
 * A signer that signs off the calling thread (node:crypto's thread pool): a server keeps its
 * event loop free for requests while receipts are signed.
 */
export interface AsyncReceiptSigner {
  keyId: string;
  signAsync(bytes: Uint8Array): Promise<Uint8Array>;
}

/** The signers made from a seed also expose their public key for publishing. */
export interface Ed25519Signer extends ReceiptSigner {
  publicKey: Uint8Array;
  jwk: Ed25519Jwk;
}

/**
 * Signs a receipt with the coordinator key and, optionally, attestation keys over the same
 * bytes. Nulls are stripped first so that the signed bytes and the returned object agree and no
 * receipt ever carries null. Any `signature`/`attestations` already on the input are replaced.
 */
export function signReceipt(
  unsigned: UnsignedReceiptInput | UnsignedReceipt,
  signer: ReceiptSigner,
  attesters: readonly ReceiptSigner[] = [],
): Receipt {
  const { body, bytes } = toSign(unsigned);
  const sign = (s: ReceiptSigner) => signatureOf(s.keyId, s.sign(bytes));
  return withSignatures(body, sign(signer), attesters.map(sign));
}

/** signReceipt with signers that sign off the calling thread: the same receipt, later. */
export async function signReceiptAsync(
  unsigned: UnsignedReceiptInput | UnsignedReceipt,
  signer: AsyncReceiptSigner,
  attesters: readonly AsyncReceiptSigner[] = [],
): Promise<Receipt> {
  const { body, bytes } = toSign(unsigned);
  const sign = async (s: AsyncReceiptSigner) => signatureOf(s.keyId, await s.signAsync(bytes));
  const [signature, attestations] = await Promise.all([
    sign(signer),
    Promise.all(attesters.map(sign)),
  ]);
  return withSignatures(body, signature, attestations);
}

/** The body to sign (nulls stripped, old signatures dropped, checked) and its signing bytes. */
function toSign(unsigned: UnsignedReceiptInput | UnsignedReceipt) {
  const {
    signature: _signature,
    attestations: _attestations,
    ...body
  } = stripNulls(unsigned) as Receipt;
  assertSignable(body);
  return { body, bytes: receiptSigningBytes(body) };
}

function withSignatures(
  body: UnsignedReceipt,
  signature: ReceiptSignature,
  attestations: ReceiptSignature[],
): Receipt {
  const receipt: Receipt = { ...body, signature };
  if (attestations.length > 0) receipt.attestations = attestations;
  return receipt;
}

/** Pure-JS signer (browsers, tests). On a server prefer createNodeSigner from the node entry. */
export function createNobleSigner(seedHex: string): Ed25519Signer {
  const { seed, publicKey } = parseSeedHex(seedHex);
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    jwk: publicKeyToJwk(publicKey),
    sign: (bytes) => ed.sign(bytes, seed),
  };
}

function signatureOf(keyId: string, sig: Uint8Array): ReceiptSignature {
  // A custom signer returning e.g. a DER or hex signature would produce receipts nobody can verify.
  if (!(sig instanceof Uint8Array) || sig.length !== 64) {
    throw new Error(`signer for key ${keyId} did not return a 64-byte Ed25519 signature`);
  }
  return { alg: 'Ed25519', key_id: keyId, sig: base64urlEncode(sig) };
}

const INTEGER_FIELDS = ['attempt', 'started_at', 'completed_at'] as const;
const HASH_FIELDS = ['payload_sha256', 'result_sha256'] as const;

// Catches contract violations at the one place they can still be fixed: once signed, a wrong
// field can only be reissued, not corrected.
function assertSignable(body: UnsignedReceipt): void {
  if (body.version !== RECEIPT_VERSION) {
    throw new TypeError(`receipt version must be "${RECEIPT_VERSION}"`);
  }
  for (const field of INTEGER_FIELDS) {
    const value = body[field];
    if (value !== undefined && !Number.isSafeInteger(value)) {
      throw new TypeError(`receipt ${field} must be an integer`);
    }
  }
  for (const field of HASH_FIELDS) {
    const value = body[field];
    if (value !== undefined && !/^[0-9a-f]{64}$/.test(value)) {
      throw new TypeError(`receipt ${field} must be 64 lowercase hex characters`);
    }
  }
  const nullPath = findNull(body, '$');
  if (nullPath) throw new TypeError(`receipt contains null at ${nullPath}`);
}

function findNull(value: unknown, path: string): string | undefined {
  if (value === null) return path;
  if (typeof value !== 'object') return undefined;
  for (const [key, member] of Object.entries(value)) {
    const found = findNull(member, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
