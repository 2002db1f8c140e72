import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A write that records its batches and finishes only when the test says so. */
function heldWrites() {
  const batches: number[][] = [];
  const release: (() => void)[] = [];
  const write = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => release.push(resolve));
    if (items.includes(-1)) throw new Error('bad item');
    return items.map((n) => n * 10);
  };
  return { batches, release, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes a lone item at once, and what arrives meanwhile together in the next write', async () => {
    const { batches, release, write } = heldWrites();
    const writes = new GroupCommit(write, 100);
    const first = writes.add(1);
    await tick();
    expect(batches).toEqual([[1]]);
    const later = [writes.add(2), writes.add(3), writes.add(4)];
    await tick();
    expect(batches).toHaveLength(1);
    release[0]!();
    await expect(first).resolves.toBe(10);
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    release[1]!();
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
  });

  it('splits a burst into writes of at most maxBatch items', async () => {
    const { batches, release, write } = heldWrites();
    const writes = new GroupCommit(write, 2);
    const all = [1, 2, 3, 4, 5].map((n) => writes.add(n));
    for (let i = 0; i < 3; i++) {
      await tick();
      release[i]!();
    }
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('fails only the items of a failed write, and goes on with the next', async () => {
    const { release, write } = heldWrites();
    const writes = new GroupCommit(write, 100);
    const first = writes.add(1);
    const bad = [writes.add(-1), writes.add(2)];
    release[0]!();
    await expect(first).resolves.toBe(10);
    await tick();
    const after = writes.add(3);
    release[1]!();
    await expect(bad[0]).rejects.toThrow('bad item');
    await expect(bad[1]).rejects.toThrow('bad item');
    await tick();
    release[2]!();
    await expect(after).resolves.toBe(30);
  });
});
