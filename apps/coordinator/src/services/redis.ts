import { Redis } from 'ioredis';

/**
 * The Redis connection shared by the nonce store and the rate limiters (REDIS_URL). Commands
 * fail at once while it is disconnected instead of queueing (`enableOfflineQueue: false`) and
 * time out after a second, so an outage turns into a fast, decided answer (see SECURITY.md:
 * fail closed or fall back to memory), never into requests that hang. It reconnects on its own.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection errors are expected during an outage; the callers decide what they mean.
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`REDIS_URL: cannot connect (${(err as Error).message})`);
  }
  return redis;
}
