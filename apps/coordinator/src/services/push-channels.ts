import type { MinerProfile } from '@aitbc/contracts';

/**
 * One miner's open push subscription (miners.assignments) on this instance: the cancellations
 * waiting to be pushed, and a signal that ends the subscription.
 */
export class PushChannel {
  private readonly ender = new AbortController();
  private cancels: string[] = [];
  /** Cancellations already pushed on this channel: a notice repeated by a sign of life is not. */
  private readonly announced = new Set<string>();
  private wakeUp: (() => void) | null = null;
  /** When this channel last counted as a sign of life (the clock's ms). */
  lastSignOfLifeMs: number;

  constructor(
    readonly minerId: string,
    public profile: MinerProfile,
    nowMs: number,
  ) {
    this.lastSignOfLifeMs = nowMs;
  }

  /** Aborted when a newer subscription of the same miner replaced this one, or on shutdown. */
  get ended(): AbortSignal {
    return this.ender.signal;
  }

  end(reason: string): void {
    this.ender.abort(new Error(reason));
    this.wake();
  }

  /** Queues cancellations to push (each job id at most once per channel) and wakes the channel. */
  cancel(jobIds: Iterable<string>): void {
    for (const id of jobIds) {
      if (this.announced.has(id)) continue;
      this.announced.add(id);
      this.cancels.push(id);
    }
    if (this.cancels.length > 0) this.wake();
  }

  takeCancels(): string[] {
    const taken = this.cancels;
    this.cancels = [];
    return taken;
  }

  /** Resolves at the next `cancel` or `end` (or at once if one is already waiting). */
  changed(): Promise<void> {
    if (this.cancels.length > 0 || this.ended.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }
}

/**
 * The push subscriptions open on this instance, at most one per miner. A second subscription of
 * the same miner REPLACES the first (the first ends): a miner that reconnects after a network
 * drop often does so before the server has noticed that the old connection is dead, and refusing
 * it would lock the miner out until then. Two live subscriptions of one miner would still be safe
 * (each claim is fenced and counted by the database), only pointless.
 */
export class PushChannels {
  private readonly channels = new Map<string, PushChannel>();

  /** Opens the miner's channel, ending the one it replaces. */
  open(minerId: string, profile: MinerProfile, nowMs: number): PushChannel {
    this.channels.get(minerId)?.end('replaced by a newer subscription of this miner');
    const channel = new PushChannel(minerId, profile, nowMs);
    this.channels.set(minerId, channel);
    return channel;
  }

  /** Forgets the channel if it is still the miner's current one. */
  close(channel: PushChannel): void {
    if (this.channels.get(channel.minerId) === channel) this.channels.delete(channel.minerId);
  }

  /** A RUNNING job of this miner was canceled: push it if the miner is subscribed here. */
  jobCanceled(minerId: string, jobId: string): void {
    this.channels.get(minerId)?.cancel([jobId]);
  }

  /** The channels that have not counted as a sign of life since `sinceMs`. */
  dueForSignOfLife(sinceMs: number): PushChannel[] {
    return [...this.channels.values()].filter((c) => c.lastSignOfLifeMs <= sinceMs);
  }

  get size(): number {
    return this.channels.size;
  }

  /** Shutdown: every subscription ends. */
  closeAll(): void {
    for (const channel of this.channels.values()) channel.end('the coordinator is shutting down');
    this.channels.clear();
  }
}
