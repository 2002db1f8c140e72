import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('doubles up to the cap, with jitter taking at most half off', () => {
    const top = new Backoff(500, 4000, () => 0);
    expect([1, 2, 3, 4, 5].map(() => top.next())).toEqual([500, 1000, 2000, 4000, 4000]);
    const bottom = new Backoff(500, 4000, () => 0.999_999);
    expect(bottom.next()).toBe(250);
  });

  it('starts over after reset', () => {
    const b = new Backoff(100, 10_000, () => 0);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });
});
