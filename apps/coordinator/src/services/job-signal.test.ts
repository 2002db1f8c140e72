import { toProfile, toRequirements } from '@aitbc/contracts';
import { describe, expect, it } from 'vitest';
import { JobSignal, type WakeReason } from './job-signal.js';

/** A job without constraints, and a miner without a GPU: every miner matches every job here. */
const ANY_JOB = toRequirements(undefined);
const PROFILE = toProfile({ gpus: [] });

/** Whether each promise has settled by now. */
async function settled(promises: Promise<WakeReason>[]): Promise<boolean[]> {
  const done = promises.map(() => false);
  promises.forEach((p, i) => void p.then(() => (done[i] = true)));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('JobSignal', () => {
  it('passes a fruitless wake-up along every waiter while the woken miners are full', async () => {
    const signal = new JobSignal();
    const waits = ['m1', 'm2', 'm3'].map((m) => signal.wait(m, PROFILE));
    signal.jobQueued(ANY_JOB);
    const first = await waits[0]!.woken;
    signal.forward(first, false);
    const second = await waits[1]!.woken;
    signal.forward(second, false);
    expect(await settled(waits.map((w) => w.woken))).toEqual([true, true, true]);
  });

  it('passes it on once more only when the woken miner had a free slot (the job was taken)', async () => {
    const signal = new JobSignal();
    const waits = ['m1', 'm2', 'm3'].map((m) => signal.wait(m, PROFILE));
    signal.jobQueued(ANY_JOB);
    const first = await waits[0]!.woken;
    signal.forward(first, true);
    const second = await waits[1]!.woken;
    signal.forward(second, true);
    expect(await settled(waits.map((w) => w.woken))).toEqual([true, true, false]);
  });

  it('wakes a poll on a freed slot of its miner only until its claim found a free slot', async () => {
    const signal = new JobSignal();
    const full = signal.wait('m1', PROFILE);
    const idle = signal.wait('m2', PROFILE);
    idle.hadFreeSlot();
    signal.slotFreed('m1');
    signal.slotFreed('m2');
    expect(await settled([full.woken, idle.woken])).toEqual([true, false]);
    signal.jobQueued(ANY_JOB);
    expect(await settled([idle.woken])).toEqual([true]);
  });
});
