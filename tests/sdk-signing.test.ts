/**
 * Both SDKs with request signing (contract §8a) against a coordinator that refuses unsigned
 * requests: the key never travels, and a whole job — submit, claim, heartbeat, result, wait,
 * receipt — goes through on signatures alone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AitbcError, createClient } from '@aitbc/client';
import { createMiner } from '@aitbc/miner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyEnv, makeKeys } from './support/actors.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';

describe('signed requests from the SDKs (REQUIRE_SIGNED_REQUESTS=true)', () => {
  const keys = makeKeys(['alice'], ['m1']);
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      db: 'embedded',
      env: { ...keyEnv(keys), REQUIRE_SIGNED_REQUESTS: 'true', HEARTBEAT_INTERVAL_SECONDS: '1' },
    });
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  it('runs a job end to end with signed calls only', async () => {
    const miner = createMiner({
      baseUrl: server.baseUrl,
      apiKey: keys.miners.m1!,
      signing: { keyId: 'm1' },
      capabilities: { gpus: [{ model: 'NVIDIA RTX 4090', vram_gb: 24 }] },
      concurrency: 1,
      executors: { '*': async ({ payload }) => ({ result: { echoed: payload } }) },
      pollWaitSeconds: 2,
    });
    await miner.start();
    try {
      const client = createClient({
        baseUrl: server.baseUrl,
        apiKey: keys.clients.alice!,
        signing: { keyId: 'alice' },
      });
      const job = await client.submit({ payload: { n: 7 } });
      const done = await client.wait(job.job_id, { timeoutMs: 15_000 });
      expect(done.state).toBe('COMPLETED');
      const { result, receipt } = await client.result(job.job_id);
      expect(result).toEqual({ echoed: { n: 7 } });
      expect(await client.verifyReceipt(receipt)).toMatchObject({ ok: true });
    } finally {
      await miner.stop({ graceMs: 1000 });
    }
  });

  it('sends the signature headers and never the key itself', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    // A pass-through proxy that records what goes over the wire.
    const proxy = createServer(async (req, res) => {
      seen.push(req.headers);
      let body = '';
      for await (const chunk of req) body += chunk;
      const answer = await fetch(`${server.baseUrl}${req.url}`, {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
        ...(body ? { body } : {}),
      });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(await answer.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    try {
      const client = createClient({
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey: keys.clients.alice!,
        signing: { keyId: 'alice' },
      });
      await client.submit({ payload: { n: 1 } });
      const headers = seen[0] ?? {};
      expect(headers['x-api-key-id']).toBe('alice');
      expect(headers['x-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(JSON.stringify(seen)).not.toContain(keys.clients.alice!);
    } finally {
      proxy.close();
    }
  });

  it('refuses the same client without signing, with a typed error', async () => {
    const client = createClient({ baseUrl: server.baseUrl, apiKey: keys.clients.alice! });
    const error = await client.submit({ payload: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AitbcError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
