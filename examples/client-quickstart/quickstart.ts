// The client SDK quickstart: submit a job, wait for it, check its receipt.
//
//   BASE=http://127.0.0.1:8011 CLIENT_KEY=ck_... npx tsx examples/client-quickstart/quickstart.ts
//
// A miner has to run the job: start one first (see demo-miner.ts in this folder), or pass
// --no-wait to only submit. `--save DIR` writes the receipt and the coordinator's published keys
// to DIR/receipt.json and DIR/keys.json for examples/verify-offline. Uses the built SDK
// (`npm run build`), as an installed @aitbc/client would be.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@aitbc/client';

const apiKey = process.env.CLIENT_KEY;
if (!apiKey) throw new Error('set CLIENT_KEY to a client API key (npm start prints a dev key)');

const client = createClient({ baseUrl: process.env.BASE ?? 'http://127.0.0.1:8011', apiKey });
const job = await client.submit({ payload: { prompt: 'a fox in the snow' } });
console.log(`submitted ${job.job_id} (${job.state})`);

if (!process.argv.includes('--no-wait')) {
  const done = await client.wait(job.job_id, {
    timeoutMs: 60_000,
    onUpdate: (j) => console.log(j.state),
  });
  const { result, receipt } = await client.result(done.job_id);
  if (done.state !== 'COMPLETED' || !receipt) throw new Error(`job ended ${done.state}`);
  const verdict = await client.verifyReceipt(receipt);
  if (!verdict.ok) throw new Error(`receipt NOT verified: ${verdict.reason}`);
  console.log('result', JSON.stringify(result));
  console.log(`receipt ${receipt.receipt_id} verified, signed by ${verdict.keyId}`);
  await saveFor(receipt);
}

/** --save DIR: the receipt and the published keys, the inputs of examples/verify-offline. */
async function saveFor(receipt: unknown): Promise<void> {
  const at = process.argv.indexOf('--save');
  const dir = at === -1 ? undefined : process.argv[at + 1];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'receipt.json'), JSON.stringify(receipt, null, 2));
  const keys = await client.trpc.receipts.keys.query();
  writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys, null, 2));
  console.log(`saved ${dir}/receipt.json and ${dir}/keys.json`);
}
