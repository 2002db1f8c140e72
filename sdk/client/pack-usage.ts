// Type-checked by scripts/pack-check.mjs against the installed tarball: the public API as a user
// writes it. Not run.
import {
  type AitbcClient,
  AitbcError,
  type CallContext,
  createClient,
  type JobView,
  type Receipt,
} from '@aitbc/client';

export async function usage(): Promise<void> {
  const client: AitbcClient = createClient({
    baseUrl: 'http://127.0.0.1:8011',
    apiKey: 'ck_example',
  });
  const job: JobView = await client.submit({ payload: { prompt: 'hello' }, priority: 1 });
  const done = await client.wait(job.job_id, {
    timeoutMs: 60_000,
    onUpdate: (j) => console.log(j.state),
  });
  if (done.state === 'COMPLETED') {
    const receipt: Receipt = await client.receipt(done.job_id);
    const verdict = await client.verifyReceipt(receipt);
    if (!verdict.ok) console.log(verdict.reason);
  }
  for await (const item of client.list({ state: 'QUEUED' })) console.log(item.job_id);
  const context: CallContext = { timeoutMs: 40_000 };
  const keys = await client.trpc.receipts.keys.query(undefined, { context });
  console.log(keys.keys[0]?.kid);
  const { result } = await client.run('llm', { prompt: 'hi' }, { job: { priority: 2 } });
  console.log(result);
  try {
    await client.get('missing');
  } catch (error) {
    if (error instanceof AitbcError) console.log(error.code, error.status, error.issues);
  }
  // @ts-expect-error a JobView has no payload: the types are the contract's
  console.log(done.payload);
}
