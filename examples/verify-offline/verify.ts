// Verifies a receipt offline, with only the coordinator's published keys (a JWK Set file):
//
//   npx tsx examples/verify-offline/verify.ts receipt.json keys.json
//
// receipt.json: a receipt (client.receipt(jobId), GET /v1/jobs/{id}/receipt) or an answer that
// carries one under `receipt`. keys.json: the JWK Set of GET /v1/receipts/keys, fetched once from
// the coordinator you trust (examples/client-quickstart/quickstart.ts --save writes both). No
// network is used here. Prints `receipt verified: ...` and exits 0, or the reason and exits 1.
import { readFileSync } from 'node:fs';
import { verifyReceiptOffline } from '@aitbc/client';

const [receiptPath, keysPath] = process.argv.slice(2);
if (!receiptPath || !keysPath) {
  console.error('usage: verify.ts receipt.json keys.json');
  process.exit(2);
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const document = readJson(receiptPath);
const receipt = document && 'receipt' in document ? document.receipt : document;

const verdict = verifyReceiptOffline(receipt, readJson(keysPath));
if (!verdict.ok) {
  console.error(`receipt NOT verified: ${verdict.reason}`);
  process.exit(1);
}
console.log(
  `receipt verified: ${receipt.receipt_id} of job ${receipt.job_id} signed by ${verdict.keyId}`,
);
