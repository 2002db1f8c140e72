import { createClient } from '@aitbc/client';
import { type JwkSet, verifyWebhook } from '@aitbc/receipts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../apps/coordinator/test/support/webhook-receiver.js';
import { allSecrets, type Keys, keyEnv, makeKeys, poll, registerMiner } from './support/actors.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import type { JobView, Page } from './support/types.js';

interface Delivery {
  webhook_id: string;
  status: string;
  attempts: { attempt: number; status_code: number | null; error: string | null }[];
}

/**
 * Webhooks end to end against the built coordinator: a job runs to completion over HTTP, and a
 * local receiver (allowed by WEBHOOK_ALLOW_PRIVATE=true) gets the signed completed event, first
 * answering 500 and then 200, and verifies it the way a third party would: against the JWK Set
 * of /v1/receipts/keys.
 */
describe('webhooks (built coordinator)', () => {
  let keys: Keys;
  let server: RunningServer;
  let http: Http;
  let receiver: WebhookReceiver;
  const alice = () => keys.clients.alice as string;

  beforeAll(async () => {
    keys = makeKeys(['alice'], ['gpu1']);
    receiver = await WebhookReceiver.start();
    server = await startServer({
      db: 'embedded',
      env: {
        ...keyEnv(keys),
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_BASE_MS: '200',
        // A busy dispatcher next to the requests: it once held an explicit transaction, which the
        // embedded database interleaved with other connections (LEASE_LOST right after a claim).
        SWEEP_INTERVAL_MS: '100',
      },
    });
    http = new Http(server.baseUrl, allSecrets(keys));
  });
  afterEach(() => {
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    cleanupTempDirs();
  });

  it('delivers the signed completed event, retried after a 500 with the same webhook-id', async () => {
    receiver.statuses = [500];
    const deliveries = [receiver.next(), receiver.next()];
    const submitted = await http.post<JobView>(
      '/v1/jobs',
      { payload: { n: 1 }, webhook_url: receiver.url },
      alice(),
    );
    expect(submitted.status).toBe(201);
    const jobId = submitted.body.job_id;
    await registerMiner(http, keys.miners.gpu1 as string);
    const lease = await poll(http, keys.miners.gpu1 as string);
    expect(lease?.job_id).toBe(jobId);
    const done = await http.post<{ receipt: { receipt_id: string } }>(
      `/v1/miners/${jobId}/result`,
      { lease_id: lease!.lease_id, result: { ok: true } },
      keys.miners.gpu1 as string,
    );
    expect(done.status, done.text).toBe(200);

    const [first, second] = await Promise.all(deliveries);
    const published = (await http.get<JwkSet>('/v1/receipts/keys')).body;
    for (const got of [first!, second!]) {
      expect(verifyWebhook(got.headers, got.body, published)).toMatchObject({ ok: true });
      expect(JSON.parse(got.body)).toMatchObject({
        job_id: jobId,
        type: 'completed',
        state: 'COMPLETED',
        receipt_id: done.body.receipt.receipt_id,
      });
    }
    const sdk = createClient({ baseUrl: server.baseUrl, apiKey: alice() });
    expect(await sdk.verifyWebhook(second!.headers, second!.body)).toMatchObject({ ok: true });
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(
      verifyWebhook(first!.headers, first!.body.replace('COMPLETED', 'FAILED'), published),
    ).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });

    const listed = await http.get<Page<Delivery>>(`/v1/jobs/${jobId}/webhooks`, alice());
    expect(listed.status).toBe(200);
    expect(listed.body.items).toMatchObject([
      {
        webhook_id: first!.headers['webhook-id'],
        type: 'completed',
        status: 'delivered',
        attempts: [
          { attempt: 1, status_code: 500, error: 'HTTP 500' },
          { attempt: 2, status_code: 200, error: null },
        ],
      },
    ]);
    expect(receiver.received).toHaveLength(2);
  });
});

describe('webhooks without WEBHOOK_ALLOW_PRIVATE (built coordinator)', () => {
  let keys: Keys;
  let server: RunningServer;
  let http: Http;
  beforeAll(async () => {
    keys = makeKeys(['alice'], []);
    server = await startServer({ db: 'embedded', env: keyEnv(keys) });
    http = new Http(server.baseUrl, allSecrets(keys));
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  it('refuses a loopback webhook_url with 400 naming the field', async () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]/']) {
      const r = await http.post<{ code: string; issues: { path: string }[] }>(
        '/v1/jobs',
        { payload: { n: 1 }, webhook_url: url },
        keys.clients.alice as string,
      );
      expect(r.status, url).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.issues.map((i) => i.path)).toEqual(['webhook_url']);
    }
    expect(http.violations).toEqual([]);
  });
});
