#!/usr/bin/env node
// Verifies a coordinator receipt offline against the coordinator's published keys:
//
//   node examples/rest/verify-receipt.mjs receipt.json keys.json
//
// receipt.json: a receipt (GET /v1/jobs/{job_id}/receipt), or an answer that carries one under
// `receipt` (GET /v1/jobs/{job_id}/result, POST /v1/miners/{job_id}/result).
// keys.json: the JWK Set of GET /v1/receipts/keys. Trust comes from these keys, fetched from the
// coordinator you trust; a key named inside the receipt proves nothing on its own.
// Prints `receipt verified: <receipt_id> signed by <key_id>` and exits 0, or the reason and 1.
// Needs `npm run build` (or `npm start` / `npm test`, which build): @aitbc/receipts runs from dist.
import { readFileSync } from 'node:fs';
import { verifyReceipt } from '@aitbc/receipts';

const REASONS = {
  MALFORMED: 'the receipt is not a well-formed signed receipt',
  UNTRUSTED_KEY: 'it is signed by a key that is not among the published keys',
  BAD_SIGNATURE: 'the signature does not match the receipt (altered, or signed by another key)',
  UNSUPPORTED_ALG: 'the signature algorithm is not Ed25519',
};

function fail(message) {
  console.error(`receipt NOT verified: ${message}`);
  process.exit(1);
}

function readJson(path, what) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail(`cannot read ${what} ${path}: ${err.message}`);
  }
}

/** A bare receipt has a `signature`; anything else must carry the receipt under `receipt`. */
function receiptOf(doc) {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return null;
  if ('signature' in doc) return doc;
  if (doc.receipt !== null && typeof doc.receipt === 'object') return doc.receipt;
  if ('receipt' in doc) {
    return fail(`job ${doc.job_id ?? '?'} has no receipt (state ${doc.state ?? 'unknown'})`);
  }
  return null;
}

const [receiptPath, keysPath] = process.argv.slice(2);
if (!receiptPath || !keysPath) {
  console.error('usage: node verify-receipt.mjs receipt.json keys.json');
  process.exit(1);
}

const receipt = receiptOf(readJson(receiptPath, 'receipt'));
if (!receipt) fail(`${receiptPath} holds neither a receipt nor an answer with a "receipt"`);
const keys = readJson(keysPath, 'keys');

const verdict = verifyReceipt(receipt, keys);
if (!verdict.ok) fail(`${REASONS[verdict.reason] ?? 'unknown reason'} (${verdict.reason})`);
console.log(`receipt verified: ${receipt.receipt_id} signed by ${verdict.keyId}`);
for (const a of verdict.attestations) {
  console.log(`  attestation by ${a.keyId}: ${a.ok ? 'valid' : 'INVALID'}`);
}
