import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { authenticateApiKey } from '../../src/http/authenticate.js';
import { ManualClock } from '../../src/services/clock.js';
import { createRequestContext } from '../../src/trpc/context.js';
import { appRouter } from '../../src/trpc/router.js';
import { cloneTestDatabase, type TestDatabase } from './databases.js';

/** The principals every test app knows. Keys are fixed so tests can call as anyone. */
export const KEYS = {
  alice: 'ck_alice_0123456789',
  bob: 'ck_bob_0123456789',
  miner1: 'mk_miner1_0123456789',
  miner2: 'mk_miner2_0123456789',
  miner3: 'mk_miner3_0123456789',
  admin: 'ak_admin_0123456789',
} as const;
export type Who = keyof typeof KEYS;

/** RFC 8032 test key 1: receipts in tests are signed with a key whose public half is known. */
export const TEST_SIGNING_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

export interface TestApp {
  app: App;
  db: TestDatabase;
  clock: ManualClock;
  /** A tRPC caller authenticated as `who` (or anonymous with null). */
  as(who: Who | null, headers?: Record<string, string>): ReturnType<typeof appRouter.createCaller>;
  close(): Promise<void>;
}

/**
 * A coordinator on a fresh clone of the test database, with a manual clock and no background
 * sweeper: tests move time with `clock.advance` and sweep with `app.sweeper.runOnce()`. `options`
 * reach createApp (e.g. a custom Settlement).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: Omit<AppOptions, 'clock' | 'startSweeper'> = {},
): Promise<TestApp> {
  const db = await cloneTestDatabase();
  const config = loadConfig(
    {
      APP_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: db.dataDir,
      ...(db.url ? { DATABASE_URL: db.url } : {}),
      CLIENT_API_KEYS: `alice:${KEYS.alice},bob:${KEYS.bob}`,
      MINER_API_KEYS: `miner1:${KEYS.miner1},miner2:${KEYS.miner2},miner3:${KEYS.miner3}`,
      ADMIN_API_KEYS: `admin:${KEYS.admin}`,
      RECEIPT_SIGNING_KEY_HEX: TEST_SIGNING_KEY,
      HEARTBEAT_INTERVAL_SECONDS: '10',
      HEARTBEAT_TIMEOUT_SECONDS: '30',
      ...env,
    },
    db.dataDir,
  );
  const clock = new ManualClock(new Date());
  const app = await createApp(config, { ...options, clock, startSweeper: false });
  return {
    app,
    db,
    clock,
    as(who, headers = {}) {
      const all = who === null ? headers : { 'x-api-key': KEYS[who], ...headers };
      const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
      const auth = authenticateApiKey(app.keyRing, lower);
      return appRouter.createCaller(createRequestContext(app.services, auth, lower));
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
