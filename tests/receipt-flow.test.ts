import { createPublicKey, verify } from 'node:crypto';
import {
  canonicalJson,
  canonicalSha256,
  createNobleSigner,
  type JwkSet,
  signReceipt,
  verifyReceipt,
} from '@aitbc/receipts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allSecrets, type Keys, keyEnv, makeKeys, registerMiner } from './support/actors.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer, tempDir } from './support/server.js';
import type { AssignedJob, JobView, Receipt } from './support/types.js';

/**
 * A job from submit to receipt over plain HTTP, and the receipt checked the way a third party
 * would: offline, against the coordinator's published keys, before and after a restart in dev
 * mode (no RECEIPT_SIGNING_KEY_HEX: the key is generated once and kept in DATA_DIR).
 */

const PAYLOAD = {
  prompt: 'Grüße, 世界',
  steps: 30,
  scale: 7.5,
  sizes: [512, 768],
  opts: { z: 1, a: null },
};
const RESULT = {
  images: ['aGVsbG8='],
  seed: 1234567890123,
  nsfw: false,
  timing: { total_ms: 812.25 },
};
const METRICS = { units: 2.5, unit_type: 'gpu_seconds', price: 0.12, gpu: 'RTX 4090', ok: true };

describe('receipt flow (embedded database, dev signing key)', () => {
  let keys: Keys;
  let dataDir: string;
  let server: RunningServer;
  let http: Http;
  let receipt: Receipt;
  let jobId: string;
  let published: JwkSet;

  const alice = () => keys.clients.alice as string;
  const gpu = () => keys.miners.gpu1 as string;
  const boot = async () => {
    server = await startServer({ db: 'embedded', dataDir, env: keyEnv(keys) });
    http = new Http(server.baseUrl, allSecrets(keys));
  };

  beforeAll(async () => {
    keys = makeKeys(['alice'], ['gpu1']);
    dataDir = tempDir();
    await boot();
  });
  afterEach(() => {
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  it('runs submit → register → poll → result → GET receipt over HTTP', async () => {
    const submitted = await http.post<JobView>('/v1/jobs', { payload: PAYLOAD }, alice());
    expect(submitted.status).toBe(201);
    jobId = submitted.body.job_id;
    await registerMiner(http, gpu(), 1);
    const polled = await http.post<{ job: AssignedJob }>(
      '/v1/miners/poll',
      { max_wait_seconds: 5 },
      gpu(),
    );
    expect(polled.status).toBe(200);
    expect(polled.body.job).toMatchObject({ job_id: jobId, attempt: 1, payload: PAYLOAD });
    const done = await http.post<{ status: string; receipt: Receipt }>(
      `/v1/miners/${jobId}/result`,
      { lease_id: polled.body.job.lease_id, result: RESULT, metrics: METRICS },
      gpu(),
    );
    expect([done.status, done.body.status]).toEqual([200, 'ok']);

    const got = await http.get<Receipt>(`/v1/jobs/${jobId}/receipt`, alice());
    expect(got.status).toBe(200);
    expect(got.body).toEqual(done.body.receipt);
    receipt = got.body;
    const result = await http.get<{ state: string; result: unknown; receipt: Receipt }>(
      `/v1/jobs/${jobId}/result`,
      alice(),
    );
    expect(result.body).toMatchObject({ state: 'COMPLETED', result: RESULT, receipt });
  });

  it('carries the contract’s fields, hashes instead of data, and never null', () => {
    expect(receipt).toMatchObject({
      version: '2',
      job_id: jobId,
      attempt: 1,
      provider: 'gpu1',
      client: 'alice',
      units: 2.5,
      unit_type: 'gpu_seconds',
      price: 0.12,
      coordinator_id: 'coordinator',
      metadata: { gpu: 'RTX 4090', ok: true },
      signature: { alg: 'Ed25519' },
    });
    expect(receipt.payload_sha256).toBe(canonicalSha256(PAYLOAD));
    expect(receipt.result_sha256).toBe(canonicalSha256(RESULT));
    expect(Number.isInteger(receipt.started_at) && Number.isInteger(receipt.completed_at)).toBe(
      true,
    );
    expect(receipt.started_at).toBeLessThanOrEqual(receipt.completed_at);
    expect(Math.abs(receipt.completed_at - Date.now() / 1000)).toBeLessThan(120);
    expect(nullPaths(receipt)).toEqual([]);
    expect(JSON.stringify(receipt)).not.toContain('Grüße');
    expect(JSON.stringify(receipt)).not.toContain('aGVsbG8=');
  });

  it('verifies offline against the published JWK Set, and a tampered copy does not', async () => {
    const r = await http.get<JwkSet>('/v1/receipts/keys');
    expect(r.status).toBe(200);
    published = r.body;
    const jwk = published.keys.find((k) => k.kid === receipt.signature.key_id);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: receipt.signature.key_id });

    expect(verifyReceipt(receipt, published)).toMatchObject({ ok: true, keyId: jwk?.kid });
    // A second implementation of the check: node:crypto over the RFC 8785 bytes.
    const { signature: _s, attestations: _a, ...body } = receipt;
    const sig = Buffer.from(receipt.signature.sig, 'base64url');
    const key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    expect(verify(null, Buffer.from(canonicalJson(body)), key, sig)).toBe(true);

    const tampered: [string, unknown][] = [
      ['units', { ...receipt, units: receipt.units * 10 }],
      ['client', { ...receipt, client: 'mallory' }],
      ['result hash', { ...receipt, result_sha256: canonicalSha256({ forged: true }) }],
      ['added field', { ...receipt, bonus: 1 }],
      ['dropped field', { ...body, metadata: undefined, signature: receipt.signature }],
      [
        'signature',
        { ...receipt, signature: { ...receipt.signature, sig: flip(receipt.signature.sig) } },
      ],
    ];
    for (const [what, copy] of tampered) {
      expect([what, verifyReceipt(JSON.parse(JSON.stringify(copy)), published)]).toEqual([
        what,
        { ok: false, reason: 'BAD_SIGNATURE' },
      ]);
    }
    // Signed correctly, but by a key the coordinator never published: the key id proves nothing.
    const forger = createNobleSigner('11'.repeat(32));
    const forged = signReceipt(
      { ...body, client: 'mallory' } as Parameters<typeof signReceipt>[0],
      forger,
    );
    expect(verifyReceipt(forged, [forger.jwk]).ok).toBe(true);
    expect(verifyReceipt(forged, published)).toEqual({ ok: false, reason: 'UNTRUSTED_KEY' });
  });

  it('still verifies after a restart on the same DATA_DIR without RECEIPT_SIGNING_KEY_HEX', async () => {
    const exit = await server.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    await boot();

    const after = await http.get<JwkSet>('/v1/receipts/keys');
    expect(after.status).toBe(200);
    expect(verifyReceipt(receipt, after.body)).toMatchObject({ ok: true });
    const stored = await http.get<Receipt>(`/v1/jobs/${jobId}/receipt`, alice());
    expect(stored.body).toEqual(receipt);

    // And receipts issued now are signed by that same published key.
    await registerMiner(http, gpu(), 1);
    const next = await http.post<JobView>('/v1/jobs', { payload: { n: 2 } }, alice());
    const polled = await http.post<{ job: AssignedJob }>(
      '/v1/miners/poll',
      { max_wait_seconds: 5 },
      gpu(),
    );
    expect(polled.body.job.job_id).toBe(next.body.job_id);
    const done = await http.post<{ receipt: Receipt }>(
      `/v1/miners/${next.body.job_id}/result`,
      { lease_id: polled.body.job.lease_id, result: 'ok' },
      gpu(),
    );
    expect(done.body.receipt.signature.key_id).toBe(receipt.signature.key_id);
    expect(verifyReceipt(done.body.receipt, published)).toMatchObject({ ok: true });
  });
});

function nullPaths(value: unknown, path = '$'): string[] {
  if (value === null) return [path];
  if (typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nullPaths(v, `${path}.${k}`));
}

/** The same signature with one base64url character changed (still 64 bytes). */
function flip(sig: string): string {
  const i = 10;
  return `${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
}
