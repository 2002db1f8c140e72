import { signRequest } from '@aitbc/request-signing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allSecrets, type Keys, keyEnv, makeKeys } from './support/actors.js';
import { Http } from './support/http.js';
import { createDatabase, type OwnDatabase, postgresEnabled } from './support/postgres.js';
import { randomPrefix, redisEnabled, sharedRedisUrl } from './support/redis.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import type { ErrorBody } from './support/types.js';

/**
 * Replays and budgets across two coordinator instances (contract §8a): a nonce one instance
 * accepted is a replay at the other, and with Redis the rate limit is one budget for both.
 */
const BODY = JSON.stringify({ payload: { n: 1 }, constraints: { region: 'nowhere' } });

/** The four §8a headers of a POST /v1/jobs with BODY, signed as `alice`. */
function signedSubmit(keys: Keys): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...signRequest({
      keyId: 'alice',
      secret: keys.clients.alice as string,
      method: 'POST',
      target: '/v1/jobs',
      body: BODY,
    }),
  };
}

async function expectReplayRefusedAcrossInstances(a: Http, b: Http, keys: Keys): Promise<void> {
  const headers = signedSubmit(keys);
  const first = await b.call('POST', '/v1/jobs', { raw: BODY, headers });
  expect(first.status).toBe(201);
  const replay = await a.call<ErrorBody>('POST', '/v1/jobs', { raw: BODY, headers });
  expect([replay.status, replay.body.code]).toEqual([401, 'SIGNATURE_REPLAYED']);
  const again = await b.call<ErrorBody>('POST', '/v1/jobs', { raw: BODY, headers });
  expect([again.status, again.body.code]).toEqual([401, 'SIGNATURE_REPLAYED']);
}

describe.runIf(postgresEnabled())('two instances on one PostgreSQL database', () => {
  const keys = makeKeys(['alice'], ['m1']);
  let db: OwnDatabase;
  let servers: RunningServer[] = [];
  let a: Http;
  let b: Http;
  beforeAll(async () => {
    db = await createDatabase();
    const start = () =>
      startServer({ db: 'postgres', databaseUrl: db.url, env: { ...keyEnv(keys) } });
    servers = [await start()]; // the first one migrates
    servers.push(await start());
    [a, b] = servers.map((s) => new Http(s.baseUrl, allSecrets(keys))) as [Http, Http];
  });
  afterEach(() => {
    expect([...a.violations.splice(0), ...b.violations.splice(0)]).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.drop();
    cleanupTempDirs();
  });

  it('refuses at one instance a signed request the other accepted', async () => {
    await expectReplayRefusedAcrossInstances(a, b, keys);
    const remembered = await db.query<{ n: number }>(
      'select count(*)::int as n from request_nonces where key_id = $1',
      ['alice'],
    );
    expect(remembered[0]?.n).toBe(1);
  });
});

describe.runIf(redisEnabled())('two instances sharing one Redis', () => {
  const keys = makeKeys(['alice', 'bob'], ['m1']);
  const BUDGET = 20;
  let servers: RunningServer[] = [];
  let a: Http;
  let b: Http;
  beforeAll(async () => {
    const env = {
      ...keyEnv(keys),
      REDIS_URL: sharedRedisUrl(),
      REDIS_KEY_PREFIX: randomPrefix(),
      RATE_LIMIT_REQUESTS: String(BUDGET),
    };
    servers = await Promise.all([1, 2].map(() => startServer({ db: 'embedded', env })));
    [a, b] = servers.map((s) => new Http(s.baseUrl, allSecrets(keys))) as [Http, Http];
  });
  afterEach(() => {
    const violations = [...a.violations.splice(0), ...b.violations.splice(0)];
    expect(violations.filter((v) => !v.startsWith('POST /v1/jobs: 429'))).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    cleanupTempDirs();
  });

  it('refuses at one instance a signed request the other accepted', async () => {
    await expectReplayRefusedAcrossInstances(a, b, keys);
  });

  it('enforces one budget for both: a burst of twice the budget gets the budget through', async () => {
    const bob = keys.clients.bob as string;
    const answers = await Promise.all(
      Array.from({ length: 2 * BUDGET }, (_, i) => (i % 2 ? a : b).get('/v1/jobs', bob)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(BUDGET);
    expect(statuses.filter((s) => s === 429)).toHaveLength(BUDGET);
    const last = answers.find((r) => r.status === 429);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(answers.map((r) => Number(r.headers.get('ratelimit-limit')))).toEqual(
      answers.map(() => BUDGET),
    );
  });
});
