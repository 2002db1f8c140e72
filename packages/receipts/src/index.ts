// Browser-safe entry: nothing reachable from here may import node: modules (a test checks).
// The node:crypto signer lives in the '@aitbc/receipts/node' entry.
export { base64urlDecode, base64urlEncode } from './base64url.js';
export { canonicalJson, canonicalSha256, sha256Hex } from './canonical-json.js';
export {
  assertUsablePublicKey,
  type Ed25519Jwk,
  type JwkSet,
  jwkToPublicKey,
  keyIdOf,
  parseSeedHex,
  publicKeyToJwk,
} from './keys.js';
export {
  RECEIPT_VERSION,
  type Receipt,
  type ReceiptJson,
  type ReceiptJsonInput,
  type ReceiptSignature,
  receiptSigningBytes,
  stripNulls,
  type UnsignedReceipt,
  type UnsignedReceiptInput,
} from './receipt.js';
export {
  type AsyncReceiptSigner,
  createNobleSigner,
  type Ed25519Signer,
  type ReceiptSigner,
  signReceipt,
  signReceiptAsync,
} from './sign.js';
export {
  type TrustedKeyMap,
  type TrustedKeys,
  trustedKeyMap,
  type VerifyFailure,
  type VerifyResult,
  verifyDetached,
  verifyReceipt,
} from './verify.js';
export {
  signWebhook,
  verifyWebhook,
  WEBHOOK_SIGNATURE_VERSION,
  WEBHOOK_TOLERANCE_SECONDS,
  type WebhookHeaders,
  type WebhookVerifyFailure,
  type WebhookVerifyOptions,
  type WebhookVerifyResult,
  webhookSigningBytes,
} from './webhook-signature.js';
