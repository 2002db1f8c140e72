import type { FastifyInstance } from 'fastify';
import { KeyRing } from './config/api-keys.js';
import type { Config } from './config/config.js';
import { type DevKey, ensureDevKeys } from './config/dev-keys.js';
import { type Database, openDatabase } from './db/database.js';
import { buildHttpServer } from './http/server.js';
import { type Clock, systemClock } from './services/clock.js';
import { completionWrites } from './services/complete-job.js';
import type { ServiceContext } from './services/context.js';
import { startEventRelay } from './services/event-relay.js';
import { JobEventHub } from './services/job-events.js';
import { JobSignal } from './services/job-signal.js';
import { LeaseBook } from './services/lease-book.js';
import { LongPollSlots } from './services/long-poll-slots.js';
import { MinerPresence, presenceWindowMs } from './services/miner-presence.js';
import { DatabaseNonceStore, RedisNonceStore } from './services/nonce-store.js';
import { PushChannels } from './services/push-channels.js';
import { RateLimits } from './services/rate-limits.js';
import { loadReceiptKeys } from './services/receipt-keys.js';
import { connectRedis } from './services/redis.js';
import { ProgressThrottle, writeTrailingProgress } from './services/report-progress.js';
import { PendingSettlementRecorder, type Settlement } from './services/settlement.js';
import { SignsOfLife } from './services/signs-of-life.js';
import { jobInserts } from './services/submit-job.js';
import { Sweeper } from './sweepers/sweeper.js';
import { WebhookDispatcher } from './sweepers/webhook-dispatcher.js';

export interface AppOptions {
  clock?: Clock;
  settlement?: Settlement;
  /** Tests drive `sweeper.runOnce()` and `webhooks.runOnce()` themselves. */
  startSweeper?: boolean;
}

export interface App {
  config: Config;
  http: FastifyInstance;
  services: ServiceContext;
  sweeper: Sweeper;
  webhooks: WebhookDispatcher;
  devKeys: DevKey[];
  /** Every configured and dev key, for building request contexts (tests, createCaller). */
  keyRing: KeyRing;
  /** Stops accepting, lets in-flight requests finish, releases long polls, closes the database. */
  close(): Promise<void>;
}

/** Builds the whole coordinator from one Config. Nothing is opened before this is called. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const dev = ensureDevKeys(config);
  const keyRing = new KeyRing([...config.apiKeys, ...dev.entries]);
  const keys = loadReceiptKeys(config);
  const db: Database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
  });
  let redis: Awaited<ReturnType<typeof connectRedis>> | null = null;
  try {
    redis = config.redisUrl ? await connectRedis(config.redisUrl) : null;
  } catch (err) {
    await db.close();
    throw err;
  }
  const signal = new JobSignal();
  const events = new JobEventHub();
  const clock = options.clock ?? systemClock;
  const services: ServiceContext = {
    config,
    db,
    clock,
    signal,
    events,
    progress: new ProgressThrottle((minerId, input) =>
      writeTrailingProgress(services, minerId, input),
    ),
    presence: new MinerPresence(presenceWindowMs(config.heartbeatTimeoutSeconds)),
    leases: new LeaseBook(),
    jobInserts: jobInserts(db, config.maxQueuedJobsPerClient),
    completions: completionWrites(db),
    signsOfLife: new SignsOfLife(db, clock, config.heartbeatTimeoutSeconds),
    keys,
    settlement: options.settlement ?? new PendingSettlementRecorder(db),
    nonces: redis ? new RedisNonceStore(redis, config.redisKeyPrefix) : new DatabaseNonceStore(db),
    longPolls: new LongPollSlots(config.security.maxLongPollsPerMiner),
    push: new PushChannels(),
    log: { warn: () => {}, error: () => {} },
  };
  const http = buildHttpServer(config, services, keyRing, new RateLimits(config, redis));
  services.log = http.log;
  const relay = await startEventRelay(services, redis);
  const recovered = await services.settlement.recover?.();
  if (recovered)
    http.log.warn({ recovered }, 'settlements recovered for receipts issued before a crash');
  const sweeper = new Sweeper(services);
  const webhooks = new WebhookDispatcher(services);
  if (options.startSweeper !== false) {
    sweeper.start(config.sweepIntervalMs);
    webhooks.start(config.sweepIntervalMs);
    events.onWritten(() => webhooks.wake());
  }

  let closing: Promise<void> | null = null;
  return {
    config,
    http,
    services,
    sweeper,
    webhooks,
    devKeys: dev.generated,
    keyRing,
    close() {
      closing ??= (async () => {
        await sweeper.stop();
        await webhooks.stop();
        const closed = http.close();
        signal.close(); // waiting long polls answer {job: null} now instead of holding shutdown
        events.close(); // so do open event streams (SSE, WebSocket): they end
        services.push.closeAll(); // and miners' push subscriptions
        services.progress.close();
        await closed;
        await relay?.close();
        await db.close();
        redis?.disconnect();
      })();
      return closing;
    },
  };
}
