import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  isRetryableStatus,
  isSafeToRepeat,
  parseRetryAfterMs,
  retryDelayMs,
} from './retry-policy.js';

const OPTIONS = { retries: 4, minDelayMs: 200, maxDelayMs: 5000 };

describe('backoffDelayMs (full jitter)', () => {
  it('doubles the window each retry and caps it at maxDelayMs', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 10].map((r) => backoffDelayMs(r, OPTIONS, top))).toEqual([
      199, 399, 799, 1599, 3199, 4999, 4999,
    ]);
  });

  it('picks anywhere from 0 up to the window', () => {
    expect(backoffDelayMs(3, OPTIONS, () => 0)).toBe(0);
    expect(backoffDelayMs(3, OPTIONS, () => 0.5)).toBe(800);
  });

  it('stays inside [0, window) for Math.random', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(2, OPTIONS);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(800);
    }
  });

  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY).toEqual({ retries: 4, minDelayMs: 200, maxDelayMs: 5000 });
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date, and a past one is 0', () => {
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', now)).toBeUndefined();
    expect(parseRetryAfterMs('1.5', now)).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it("waits at least the server's Retry-After", () => {
    expect(retryDelayMs(0, OPTIONS, 2000, () => 0.9)).toBe(2000);
    expect(retryDelayMs(4, OPTIONS, 10, () => 0.5)).toBe(1600);
    expect(retryDelayMs(1, OPTIONS, undefined, () => 0.5)).toBe(200);
  });
});

describe('which failures are retried', () => {
  it('retries refusals (429, 503) for every call', () => {
    expect(isRetryableStatus(429, false)).toBe(true);
    expect(isRetryableStatus(503, false)).toBe(true);
  });

  it('retries ambiguous failures (500, 502, 504) only for calls safe to repeat', () => {
    for (const status of [500, 502, 504]) {
      expect(isRetryableStatus(status, true)).toBe(true);
      expect(isRetryableStatus(status, false)).toBe(false);
    }
  });

  it('never retries client errors', () => {
    for (const status of [400, 401, 403, 404, 409, 413])
      expect(isRetryableStatus(status, true)).toBe(false);
  });

  it('treats queries, contract-idempotent mutations and keyed submits as safe', () => {
    expect(isSafeToRepeat('query', 'jobs.get', false)).toBe(true);
    expect(isSafeToRepeat('mutation', 'jobs.cancel', false)).toBe(true);
    expect(isSafeToRepeat('mutation', 'miners.result', false)).toBe(true);
    expect(isSafeToRepeat('mutation', 'jobs.submit', true)).toBe(true);
    expect(isSafeToRepeat('mutation', 'jobs.submit', false)).toBe(false);
    expect(isSafeToRepeat('mutation', 'miners.fail', false)).toBe(false);
  });
});
