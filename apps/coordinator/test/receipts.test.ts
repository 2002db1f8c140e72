import { canonicalSha256, publicKeyToJwk, verifyReceipt } from '@aitbc/receipts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claim,
  countRows,
  expectAppError,
  leaseOf,
  nullPaths,
  registerMiner,
  submitJob,
} from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** RFC 8032 test key 2: a key the coordinator does not use. */
const OTHER_PUBLIC_KEY = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';

describe('receipts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await registerMiner(t, 'miner1', { gpus: [] }, { concurrency: 5 });
    await registerMiner(t, 'miner2', { gpus: [] }, { concurrency: 5 });
  });
  afterAll(() => t?.close());

  const payload = { prompt: 'Grüße 😀', params: { b: 2, a: 1 } };
  const result = { text: 'hallo', tokens: [1, 2, 3] };

  /** A RUNNING job of alice's held by `miner`, claimed now. */
  async function running(miner: 'miner1' | 'miner2' = 'miner1') {
    const job = await submitJob(t, { payload, priority: 1000 });
    return { job, lease: leaseOf(await claim(t, miner, job.job_id)) };
  }

  it('signs a receipt with every contract field, units defaulting to the run seconds', async () => {
    const { job, lease } = await running();
    const claimedAt = t.clock.now().getTime();
    t.clock.advance(7000);
    const answer = await t.as('miner1').miners.result({ ...lease, result });
    expect(answer.status).toBe('ok');
    expect(answer.receipt).toStrictEqual({
      version: '2',
      receipt_id: expect.any(String),
      job_id: job.job_id,
      attempt: 1,
      provider: 'miner1',
      client: 'alice',
      units: 7,
      unit_type: 'gpu_seconds',
      started_at: Math.floor(claimedAt / 1000),
      completed_at: Math.floor((claimedAt + 7000) / 1000),
      payload_sha256: canonicalSha256(payload),
      result_sha256: canonicalSha256(result),
      coordinator_id: 'coordinator',
      signature: { alg: 'Ed25519', key_id: expect.any(String), sig: expect.any(String) },
    });
    expect(nullPaths(answer.receipt)).toEqual([]);
    expect(await t.as('alice').jobs.receipt({ job_id: job.job_id })).toEqual(answer.receipt);
    expect(await t.as('alice').jobs.receipts({ job_id: job.job_id })).toEqual({
      items: [answer.receipt],
      next_cursor: null,
    });
  });

  it('takes units, unit_type and price from the metrics and puts other metrics in metadata', async () => {
    const { lease } = await running();
    const { receipt } = await t.as('miner1').miners.result({
      ...lease,
      result: 'ok',
      metrics: {
        units: 1234.5,
        unit_type: 'tokens',
        price: 0.02,
        gpu_util: 0.93,
        model: 'llama',
        warm: true,
      },
    });
    expect(receipt).toMatchObject({ units: 1234.5, unit_type: 'tokens', price: 0.02 });
    expect(receipt.metadata).toStrictEqual({ gpu_util: 0.93, model: 'llama', warm: true });
    expect(nullPaths(receipt)).toEqual([]);
  });

  it('verifies against the published keys, and only against them', async () => {
    const { lease } = await running();
    const { receipt } = await t.as('miner1').miners.result({ ...lease, result });
    const jwks = await t.as(null).receipts.keys();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      kid: receipt.signature.key_id,
    });
    expect(verifyReceipt(receipt, jwks)).toMatchObject({ ok: true, keyId: jwks.keys[0]!.kid });

    const other = { keys: [publicKeyToJwk(Uint8Array.from(Buffer.from(OTHER_PUBLIC_KEY, 'hex')))] };
    expect(verifyReceipt(receipt, other)).toEqual({ ok: false, reason: 'UNTRUSTED_KEY' });
    expect(verifyReceipt({ ...receipt, units: receipt.units + 1 }, jwks)).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it('answers a repeated result under the same lease with the same receipt, stored once', async () => {
    const { job, lease } = await running();
    const first = await t.as('miner1').miners.result({ ...lease, result });
    t.clock.advance(5000);
    const again = await t.as('miner1').miners.result({ ...lease, result });
    expect(again).toEqual(first);
    expect(await countRows(t, 'receipts', job.job_id)).toBe(1);
    const completedAt = (await t.as('alice').jobs.get({ job_id: job.job_id })).completed_at;
    expect(Date.parse(completedAt!)).toBe(t.clock.now().getTime() - 5000);
  });

  // Results that arrive together are written by one statement (group commit): each must get its
  // own receipt, and two copies of one result the one stored receipt.
  it('gives results sent at once their own receipts, and a copy sent alongside the same one', async () => {
    const jobs = [await running('miner1'), await running('miner2'), await running('miner1')];
    const first = jobs[0]!;
    const answers = (
      await Promise.all([
        ...jobs.map(({ lease }, i) =>
          t.as(i === 1 ? 'miner2' : 'miner1').miners.result({ ...lease, result }),
        ),
        t.as('miner1').miners.result({ ...first.lease, result }),
      ])
    ).map((answer) => answer.receipt);
    expect(answers.map((r) => r.job_id)).toEqual([
      ...jobs.map((j) => j.job.job_id),
      first.job.job_id,
    ]);
    expect(new Set(answers.slice(0, 3).map((r) => r.receipt_id)).size).toBe(3);
    expect(answers[3]).toEqual(answers[0]);
    for (const { job } of jobs) {
      expect(await countRows(t, 'receipts', job.job_id)).toBe(1);
      expect((await t.as('alice').jobs.get({ job_id: job.job_id })).state).toBe('COMPLETED');
    }
  });

  // Regression: a different result under the same lease was answered with the first receipt,
  // whose result_sha256 did not match what the miner had just sent.
  it('refuses a different result under the lease of an already completed job', async () => {
    const { job, lease } = await running();
    await t.as('miner1').miners.result({ ...lease, result });
    await expectAppError(
      t.as('miner1').miners.result({ ...lease, result: { other: true } }),
      'LEASE_LOST',
    );
    expect(await countRows(t, 'receipts', job.job_id)).toBe(1);
    expect((await t.as('alice').jobs.result({ job_id: job.job_id })).result).toEqual(result);
  });

  it('refuses a result under a wrong lease and leaves the job as it was', async () => {
    const { job, lease } = await running();
    const before = await t.as('alice').jobs.get({ job_id: job.job_id });
    await expectAppError(
      t.as('miner1').miners.result({ job_id: job.job_id, lease_id: 'not-the-lease', result }),
      'LEASE_LOST',
    );
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toEqual(before);
    await t.as('miner1').miners.result({ ...lease, result });
  });

  it('refuses a result from a miner that does not hold the lease', async () => {
    const { job, lease } = await running('miner1');
    const before = await t.as('alice').jobs.get({ job_id: job.job_id });
    await expectAppError(t.as('miner2').miners.result({ ...lease, result }), 'LEASE_LOST');
    await expectAppError(
      t.as('miner2').miners.fail({ ...lease, error_code: 'X', error_message: 'x' }),
      'LEASE_LOST',
    );
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toEqual(before);
    const { receipt } = await t.as('miner1').miners.result({ ...lease, result });
    expect(receipt.provider).toBe('miner1');
    // The holder's replay is answered; the other miner's is not.
    await expectAppError(t.as('miner2').miners.result({ ...lease, result }), 'LEASE_LOST');
  });

  it('refuses a result after the client canceled the job, and issues no receipt', async () => {
    const { job, lease } = await running();
    const canceled = await t.as('alice').jobs.cancel({ job_id: job.job_id });
    await expectAppError(t.as('miner1').miners.result({ ...lease, result }), 'LEASE_LOST');
    expect(await t.as('alice').jobs.get({ job_id: job.job_id })).toEqual(canceled);
    expect(await countRows(t, 'receipts', job.job_id)).toBe(0);
    await expectAppError(t.as('alice').jobs.receipt({ job_id: job.job_id }), 'NOT_FOUND');
    expect((await t.as('alice').jobs.receipts({ job_id: job.job_id })).items).toEqual([]);
  });

  it('answers NOT_FOUND for the receipt of a job that has not completed yet', async () => {
    const { job, lease } = await running();
    await expectAppError(t.as('alice').jobs.receipt({ job_id: job.job_id }), 'NOT_FOUND');
    await t.as('miner1').miners.result({ ...lease, result });
  });

  it('accepts any JSON result, hashing it canonically', async () => {
    for (const value of ['text', 42, false, [1, { b: 1, a: 2 }]]) {
      const { lease } = await running();
      const { receipt } = await t.as('miner1').miners.result({ ...lease, result: value });
      expect(receipt.result_sha256).toBe(canonicalSha256(value));
    }
  });
});

describe('receipts with an attestation key', () => {
  it('carries an attestation by the published attestation key over the same bytes', async () => {
    const t = await startTestApp({
      RECEIPT_ATTESTATION_KEY_HEX:
        '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    });
    try {
      await registerMiner(t, 'miner1');
      const job = await submitJob(t);
      const lease = leaseOf(await claim(t, 'miner1', job.job_id));
      const { receipt } = await t.as('miner1').miners.result({ ...lease, result: 1 });
      const jwks = await t.as(null).receipts.keys();
      expect(jwks.keys.map((k) => k.kid)).toContain(receipt.attestations?.[0]?.key_id);
      const verified = verifyReceipt(receipt, jwks);
      expect(verified.ok && verified.attestations).toEqual([
        { keyId: receipt.attestations?.[0]?.key_id, ok: true },
      ]);
    } finally {
      await t.close();
    }
  });
});
