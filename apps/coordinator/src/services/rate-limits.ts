import { AppError } from '@aitbc/contracts';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Config } from '../config/config.js';

/** Who a budget belongs to: a client or admin principal, a miner, or an IP without a known key. */
export type BudgetKind = 'principal' | 'miner' | 'ip';

/** The outcome of one request against its budget, as the RateLimit-* headers report it. */
export interface RateVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (also the Retry-After of a refusal). */
  resetSeconds: number;
}

interface Budget {
  points: number;
  /** Redis with an in-memory insurance limiter: keeps answering during a Redis outage. */
  lenient: RateLimiterAbstract;
  /** Redis alone: during an outage `consume` fails, and the request is refused with 503. */
  strict: RateLimiterAbstract;
}

/**
 * Request budgets per principal and role, per miner and per client IP (contract §8a), counted
 * in fixed windows of RATE_LIMIT_WINDOW_SECONDS. In memory by default (a budget per instance);
 * with Redis one budget shared by every instance. Both limiters of a budget use the same keys,
 * so strict and lenient requests spend the same budget.
 */
export class RateLimits {
  private readonly budgets: Partial<Record<BudgetKind, Budget>> = {};

  constructor(config: Config, redis: Redis | null) {
    const s = config.security;
    const points: Record<BudgetKind, number> = {
      principal: s.rateLimitRequests,
      miner: s.minerRateLimitRequests,
      ip: s.ipRateLimitRequests,
    };
    for (const kind of Object.keys(points) as BudgetKind[]) {
      if (points[kind] === 0) continue;
      const options = {
        points: points[kind],
        duration: s.rateLimitWindowSeconds,
        keyPrefix: `${config.redisKeyPrefix}rl:${kind}`,
      };
      if (redis === null) {
        const memory = new RateLimiterMemory(options);
        this.budgets[kind] = { points: options.points, lenient: memory, strict: memory };
        continue;
      }
      const shared = { ...options, storeClient: redis, rejectIfRedisNotReady: true };
      this.budgets[kind] = {
        points: options.points,
        lenient: new RateLimiterRedis({
          ...shared,
          insuranceLimiter: new RateLimiterMemory(options),
        }),
        strict: new RateLimiterRedis(shared),
      };
    }
  }

  /**
   * Spends `points` (the calls in the request) of `key`'s budget. Null when this kind is not
   * limited. Throws NOT_READY when a strict request cannot reach the shared store.
   */
  async consume(
    kind: BudgetKind,
    key: string,
    points: number,
    strict: boolean,
  ): Promise<RateVerdict | null> {
    const budget = this.budgets[kind];
    if (!budget) return null;
    try {
      const res = await (strict ? budget.strict : budget.lenient).consume(key, points);
      return verdict(budget.points, res, true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return verdict(budget.points, rejection, false);
      throw new AppError('NOT_READY', 'the rate limit store is unavailable; retry shortly');
    }
  }
}

function verdict(limit: number, res: RateLimiterRes, allowed: boolean): RateVerdict {
  return {
    allowed,
    limit,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}
