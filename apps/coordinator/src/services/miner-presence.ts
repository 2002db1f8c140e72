import type { MinerProfile, MinerStatus } from '@aitbc/contracts';

export interface Presence {
  status: MinerStatus;
  profile: MinerProfile;
}

/**
 * This instance's memory of each miner's last recorded sign of life. A busy miner polls, posts
 * results and heartbeats many times a second; recording each of those (a miner row write and a
 * lease extension) would make liveness the most expensive thing the coordinator does. Within
 * `windowMs` of the last write a sign of life is answered from memory, so leases are extended at
 * most `windowMs` late, which is why the window is a small fraction of the lease.
 */
export class MinerPresence {
  private readonly recorded = new Map<string, Presence & { at: number }>();

  constructor(readonly windowMs: number) {}

  /** The miner's presence if it was recorded less than `windowMs` before `now`. */
  recent(minerId: string, now: Date): Presence | null {
    const entry = this.recorded.get(minerId);
    return entry && now.getTime() - entry.at < this.windowMs ? entry : null;
  }

  remember(minerId: string, now: Date, presence: Presence): void {
    this.recorded.set(minerId, { ...presence, at: now.getTime() });
  }

  /** After register or drain changed what the database holds for this miner. */
  forget(minerId: string): void {
    this.recorded.delete(minerId);
  }
}

/** A tenth of the lease, at most a second: a lease is never more than that short of its length. */
export const presenceWindowMs = (leaseSeconds: number) =>
  Math.min(1000, (leaseSeconds * 1000) / 10);
