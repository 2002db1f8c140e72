import { type JobRequirements, type MinerProfile, matches } from '@aitbc/contracts';

/** Why a waiter was woken: a queued job (which can be passed on) or a freed slot / shutdown. */
export type WakeReason = { requirements: JobRequirements; hops: number } | null;

/** The other instances, told of wake-ups in batches (event-relay.ts). */
export interface SignalRelay {
  jobQueued(requirements: JobRequirements): void;
  slotFreed(minerId: string): void;
}

interface Waiter {
  minerId: string;
  profile: MinerProfile;
  wake: (reason: WakeReason) => void;
  /** Woken by a freed slot of its miner: until its claim found a free slot, it may need one. */
  wantsSlot: boolean;
}

/** A registered wait, as `wait` hands it out. */
export interface Wait {
  woken: Promise<WakeReason>;
  cancel(): void;
  /**
   * Its claim found a free slot and no job: a freed slot will not help it, so from now on only a
   * queued job wakes it. Saves the empty claim that every result of its miner would cause.
   */
  hadFreeSlot(): void;
}

/**
 * In-process wake-ups for long polls: no poller ever queries the database in a loop.
 *
 * A queued job wakes ONE waiting miner whose hardware matches (first in, first out). Waking every
 * poller would turn each submit into a stampede of claim queries. If the woken miner then claims
 * nothing (another miner was faster, or its slots filled), it passes the wake-up on with
 * `forward`, at most once per waiter, so a matching job is never left waiting for a timeout.
 * A woken miner that had a free slot and still claimed nothing saw the queue without a job for
 * it: the job was taken. It passes the wake-up on once more only (a claim in flight elsewhere
 * may have skipped the job and then failed to take it); passing it on to every waiter made one
 * queued job cost up to as many empty claims as there were waiting polls.
 */
export class JobSignal {
  private readonly waiters = new Set<Waiter>();
  private closedFlag = false;

  /** Registers before the caller's claim attempt, so a submit in between is not missed. */
  wait(minerId: string, profile: MinerProfile): Wait {
    let waiter!: Waiter;
    const woken = new Promise<WakeReason>((resolve) => {
      waiter = { minerId, profile, wake: resolve, wantsSlot: true };
    });
    this.waiters.add(waiter);
    return {
      woken,
      cancel: () => this.waiters.delete(waiter),
      hadFreeSlot: () => {
        waiter.wantsSlot = false;
      },
    };
  }

  private relay: SignalRelay | null = null;

  /** Where this instance's wake-ups also go: the other instances (event-relay.ts). */
  setRelay(relay: SignalRelay | null): void {
    this.relay = relay;
  }

  /** A job became claimable here: wakes a matching poll here, and is relayed to other instances. */
  jobQueued(requirements: JobRequirements): void {
    this.relay?.jobQueued(requirements);
    this.wakeMatching(requirements, this.waiters.size);
  }

  /** A job was queued through another instance: wakes a matching poll here, relays nothing. */
  remoteJobQueued(requirements: JobRequirements): void {
    this.wakeMatching(requirements, this.waiters.size);
  }

  /** `hops` bounds how often a fruitless wake-up is passed on. */
  private wakeMatching(requirements: JobRequirements, hops: number): void {
    if (hops <= 0) return;
    for (const w of this.waiters) {
      if (matches(requirements, w.profile)) {
        this.waiters.delete(w);
        w.wake({ requirements, hops: hops - 1 });
        return;
      }
    }
  }

  /**
   * The woken poller claimed nothing: give the next matching waiter its chance; only one more
   * when the poller had a free slot (the job was taken, see the class comment).
   */
  forward(reason: WakeReason, hadFreeSlot = false): void {
    if (reason)
      this.wakeMatching(reason.requirements, hadFreeSlot ? Math.min(reason.hops, 1) : reason.hops);
  }

  /** One of this miner's slots was freed: its own waiting polls may now claim (here or elsewhere). */
  slotFreed(minerId: string): void {
    this.relay?.slotFreed(minerId);
    this.remoteSlotFreed(minerId);
  }

  /** A slot freed by another instance: wakes this miner's poll if it waits here. */
  remoteSlotFreed(minerId: string): void {
    for (const w of this.waiters) {
      if (w.minerId === minerId && w.wantsSlot) {
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
