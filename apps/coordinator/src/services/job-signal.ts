import { type JobRequirements, type MinerProfile, matches } from '@aitbc/contracts';

/** Why a waiter was woken: a queued job (which can be passed on) or a freed slot / shutdown. */
export type WakeReason = { requirements: JobRequirements; hops: number } | null;

interface Waiter {
  minerId: string;
  profile: MinerProfile;
  wake: (reason: WakeReason) => void;
}

/**
 * In-process wake-ups for long polls: no poller ever queries the database in a loop.
 *
 * A queued job wakes ONE waiting miner whose hardware matches (first in, first out). Waking every
 * poller would turn each submit into a stampede of claim queries. If the woken miner then claims
 * nothing (another miner was faster, or its slots filled), it passes the wake-up on with
 * `forward`, at most once per waiter, so a matching job is never left waiting for a timeout.
 */
export class JobSignal {
  private readonly waiters = new Set<Waiter>();
  private closedFlag = false;

  /** Registers before the caller's claim attempt, so a submit in between is not missed. */
  wait(minerId: string, profile: MinerProfile): { woken: Promise<WakeReason>; cancel: () => void } {
    let waiter!: Waiter;
    const woken = new Promise<WakeReason>((resolve) => {
      waiter = { minerId, profile, wake: resolve };
    });
    this.waiters.add(waiter);
    return { woken, cancel: () => this.waiters.delete(waiter) };
  }

  /** A job became claimable. `hops` bounds how often a fruitless wake-up is passed on. */
  jobQueued(requirements: JobRequirements, hops = this.waiters.size): void {
    if (hops <= 0) return;
    for (const w of this.waiters) {
      if (matches(requirements, w.profile)) {
        this.waiters.delete(w);
        w.wake({ requirements, hops: hops - 1 });
        return;
      }
    }
  }

  /** The woken poller claimed nothing: give the next matching waiter its chance. */
  forward(reason: WakeReason): void {
    if (reason) this.jobQueued(reason.requirements, reason.hops);
  }

  /** One of this miner's slots was freed: its own waiting polls may now claim. */
  slotFreed(minerId: string): void {
    for (const w of this.waiters) {
      if (w.minerId === minerId) {
        this.waiters.delete(w);
        w.wake(null);
        return;
      }
    }
  }

  /** Shutdown: every waiting poll wakes and answers at once; no poll waits from now on. */
  close(): void {
    this.closedFlag = true;
    for (const w of this.waiters) w.wake(null);
    this.waiters.clear();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get waiting(): number {
    return this.waiters.size;
  }
}
