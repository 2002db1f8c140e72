import type { Redis } from 'ioredis';
import type { Database } from '../db/database.js';

/**
 * Remembers the nonces of signed requests (contract §8a) where every coordinator instance sees
 * them: the database, or Redis when REDIS_URL is set. `remember` is the check and the write in
 * one atomic step, so two instances handed the same request concurrently cannot both accept it.
 */
export interface NonceStore {
  /** False when this key id already used this nonce (a replay). */
  remember(keyId: string, nonce: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Forgets nonces past their expiry; returns how many (the sweeper calls it). */
  prune(now: Date): Promise<number>;
}

export class DatabaseNonceStore implements NonceStore {
  constructor(private readonly db: Database) {}

  async remember(keyId: string, nonce: string, expiresAt: Date): Promise<boolean> {
    const inserted = await this.db.query(
      `insert into request_nonces (key_id, nonce, expires_at) values ($1, $2, $3)
       on conflict (key_id, nonce) do nothing`,
      [keyId, nonce, expiresAt],
    );
    return inserted.rowCount === 1;
  }

  async prune(now: Date): Promise<number> {
    const deleted = await this.db.query('delete from request_nonces where expires_at < $1', [now]);
    return deleted.rowCount ?? 0;
  }
}

/** `SET key 1 NX PX ttl`: set only if absent, gone by itself when the window has passed. */
export class RedisNonceStore implements NonceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async remember(keyId: string, nonce: string, expiresAt: Date, now: Date): Promise<boolean> {
    const ttlMs = Math.max(1000, expiresAt.getTime() - now.getTime());
    // Neither part can contain ':' (names are split at the first ':'; nonces are [A-Za-z0-9_-]).
    const set = await this.redis.set(
      `${this.prefix}nonce:${keyId}:${nonce}`,
      '1',
      'PX',
      ttlMs,
      'NX',
    );
    return set === 'OK';
  }

  async prune(): Promise<number> {
    return 0;
  }
}
