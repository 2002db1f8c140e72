import { AppError } from '@aitbc/contracts';

/**
 * Caps the long polls one miner holds open at once on this instance (MAX_LONG_POLLS_PER_MINER):
 * each waiting poll keeps a socket, a timer and a waiter, so an unbounded number from one key
 * is a cheap way to exhaust the server.
 */
export class LongPollSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot or throws RATE_LIMITED; pair every success with `release`. */
  acquire(minerId: string): void {
    const held = this.open.get(minerId) ?? 0;
    if (held >= this.max) {
      throw new AppError(
        'RATE_LIMITED',
        `too many concurrent polls for this miner (MAX_LONG_POLLS_PER_MINER=${this.max})`,
      );
    }
    this.open.set(minerId, held + 1);
  }

  release(minerId: string): void {
    const held = (this.open.get(minerId) ?? 1) - 1;
    if (held <= 0) this.open.delete(minerId);
    else this.open.set(minerId, held);
  }
}
