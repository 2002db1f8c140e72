import { AppError } from '@aitbc/contracts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { KeyRing, Principal } from '../config/api-keys.js';
import type { SecurityConfig } from '../config/config.js';
import type { Clock } from '../services/clock.js';
import type { NonceStore } from '../services/nonce-store.js';
import type { BudgetKind, RateLimits, RateVerdict } from '../services/rate-limits.js';
import { type Authentication, authenticate } from './authenticate.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (signatures cover these bytes); null without a body. */
    rawBody: Buffer | null;
    /** Set by the request guard before any handler runs. */
    auth: Authentication | null;
  }
}

export interface GuardDeps {
  keys: KeyRing;
  nonces: NonceStore;
  limits: RateLimits;
  clock: Clock;
  security: SecurityConfig;
}

/**
 * One preHandler for every route (REST, tRPC, docs, 404s), in this order:
 * 1. batch size (a tRPC batch of more than MAX_BATCH_SIZE calls is refused);
 * 2. authentication: the §8a signature (HMAC only, no I/O) or the API key;
 * 3. the rate limit: each call of a batch counts; per principal and role, else per client IP
 *    (a failed authentication is charged to the IP too, so guessing costs budget);
 * 4. the replay check of a signed request's nonce, last: an over-budget caller costs no write.
 * Which roles may call which procedure is decided later, by the procedures' role middleware.
 */
export function registerRequestGuard(app: FastifyInstance, deps: GuardDeps): void {
  app.decorateRequest('rawBody', null);
  app.decorateRequest('auth', null);
  app.addHook('preHandler', async (request, reply) => {
    const calls = callsIn(request.url);
    if (calls > deps.security.maxBatchSize) {
      throw new AppError(
        'MALFORMED_REQUEST',
        `a batch of ${calls} calls is over MAX_BATCH_SIZE (${deps.security.maxBatchSize})`,
      );
    }
    let auth: Authentication;
    try {
      auth = authenticate(request, deps.keys, deps.clock.now().getTime(), requireSigned(deps));
    } catch (refused) {
      await spend(deps, reply, 'ip', request.ip, 1, false);
      throw refused;
    }
    request.auth = auth;
    const [kind, key] = budgetOf(auth.principals, request.ip);
    const strict = request.method === 'POST' && kind === 'principal';
    await spend(deps, reply, kind, key, calls, strict);
    if (auth.nonce) {
      const { keyId, nonce, expiresAt } = auth.nonce;
      if (!(await rememberNonce(deps, keyId, nonce, expiresAt))) {
        throw new AppError('SIGNATURE_REPLAYED', 'this nonce was already used: sign anew');
      }
    }
  });
}

const requireSigned = (deps: GuardDeps) => deps.security.requireSignedRequests;

async function rememberNonce(deps: GuardDeps, keyId: string, nonce: string, expiresAt: Date) {
  try {
    return await deps.nonces.remember(keyId, nonce, expiresAt, deps.clock.now());
  } catch {
    // Without the store a replay cannot be told apart: refuse rather than guess (fail closed).
    throw new AppError('NOT_READY', 'the nonce store is unavailable; retry shortly');
  }
}

/** Calls in one request: a tRPC batch (`/trpc/a,b,c?batch=1`) names each; anything else is one. */
export function callsIn(url: string): number {
  if (!url.startsWith('/trpc/')) return 1;
  const end = url.indexOf('?');
  const path = end === -1 ? url.slice(6) : url.slice(6, end);
  let calls = 1;
  for (let i = path.indexOf(','); i !== -1; i = path.indexOf(',', i + 1)) calls++;
  return calls;
}

/**
 * The budget a request spends: a miner's own (a key that is also a miner key counts as the
 * miner), a client's or admin's per role and name, or the client IP's when no key is known.
 */
function budgetOf(principals: Principal[] | null, ip: string): [BudgetKind, string] {
  const first = principals?.[0];
  if (!first) return ['ip', ip];
  const miner = principals.find((p) => p.role === 'miner');
  return miner ? ['miner', miner.id] : ['principal', `${first.role}:${first.id}`];
}

async function spend(
  deps: GuardDeps,
  reply: FastifyReply,
  kind: BudgetKind,
  key: string,
  calls: number,
  strict: boolean,
): Promise<void> {
  const verdict = await deps.limits.consume(kind, key, calls, strict);
  if (verdict === null) return;
  setRateLimitHeaders(reply, verdict);
  if (!verdict.allowed) {
    reply.header('retry-after', String(verdict.resetSeconds));
    throw new AppError(
      'RATE_LIMITED',
      `rate limit of ${verdict.limit} requests per window reached; retry after ${verdict.resetSeconds} s`,
    );
  }
}

function setRateLimitHeaders(reply: FastifyReply, v: RateVerdict): void {
  reply.header('ratelimit-limit', String(v.limit));
  reply.header('ratelimit-remaining', String(v.remaining));
  reply.header('ratelimit-reset', String(v.resetSeconds));
}
