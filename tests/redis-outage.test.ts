import { signRequest } from '@aitbc/request-signing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allSecrets, keyEnv, makeKeys, registerMiner } from './support/actors.js';
import { Http } from './support/http.js';
import {
  type PrivateRedis,
  randomPrefix,
  redisEnabled,
  startPrivateRedis,
} from './support/redis.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import type { ErrorBody } from './support/types.js';
import { until, within } from './support/wait.js';

/**
 * What a coordinator does while its Redis is down (SECURITY.md): client writes fail closed with
 * 503 (one shared budget cannot be enforced), signs of life and reads go on against an
 * in-memory budget, signed requests get 503 (a replay cannot be ruled out). It recovers by
 * itself once Redis is back. The Redis is this test's own: the machine's one is never stopped.
 */
describe.runIf(redisEnabled())('a Redis outage', () => {
  const keys = makeKeys(['alice'], ['m1']);
  const alice = keys.clients.alice as string;
  const miner = keys.miners.m1 as string;
  let redis: PrivateRedis;
  let server: RunningServer;
  let http: Http;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    server = await startServer({
      db: 'embedded',
      env: { ...keyEnv(keys), REDIS_URL: redis.url, REDIS_KEY_PREFIX: randomPrefix() },
    });
    http = new Http(server.baseUrl, allSecrets(keys));
    await registerMiner(http, miner);
  });
  afterEach(() => {
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.kill();
    cleanupTempDirs();
  });

  const signedList = () =>
    http.call<ErrorBody>('GET', '/v1/jobs', {
      headers: signRequest({ keyId: 'alice', secret: alice, method: 'GET', target: '/v1/jobs' }),
    });

  it('works normally while Redis is up', async () => {
    expect((await http.post('/v1/jobs', { payload: { n: 1 } }, alice)).status).toBe(201);
    expect((await signedList()).status).toBe(200);
  });

  it('while Redis is down: submits 503, heartbeats, polls and reads 200, signed 503, promptly', async () => {
    await redis.kill();
    const submit = await within(
      3000,
      'submit',
      http.post<ErrorBody>('/v1/jobs', { payload: {} }, alice),
    );
    expect([submit.status, submit.body.code]).toEqual([503, 'NOT_READY']);
    const heartbeat = await within(3000, 'heartbeat', http.post('/v1/miners/heartbeat', {}, miner));
    expect(heartbeat.status).toBe(200);
    expect(heartbeat.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    const poll = await within(
      3000,
      'poll',
      http.post('/v1/miners/poll', { max_wait_seconds: 0 }, miner),
    );
    expect(poll.status).toBe(200);
    expect((await within(3000, 'list', http.get('/v1/jobs', alice))).status).toBe(200);
    const signed = await within(3000, 'signed list', signedList());
    expect([signed.status, signed.body.code]).toEqual([503, 'NOT_READY']);
    expect((await http.get('/v1/health')).status).toBe(200);
  });

  it('recovers once Redis is back', async () => {
    await redis.restart();
    await until(
      'a submit accepted again',
      async () => (await http.post('/v1/jobs', { payload: { n: 2 } }, alice)).status === 201,
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect((await signedList()).status).toBe(200);
  });
});
