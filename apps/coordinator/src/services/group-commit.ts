interface Waiting<I, O> {
  item: I;
  resolve(output: O): void;
  reject(err: unknown): void;
}

/**
 * Group commit: items that arrive while a write is in flight wait, and go together in the next
 * write. A lone item is written at once (no timer, no added latency); under load one statement
 * and one commit carry many items instead of one each, which saves a round trip, a commit and the
 * per-statement work on both sides for every item after the first.
 *
 * `write` gets the items in arrival order and returns one output per item, in the same order.
 * If it throws, every item of that write gets the error (a write that must not fail a whole batch
 * for one bad item handles that itself, e.g. by writing the items one by one).
 */
export class GroupCommit<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    /** Most items in one write: bounds a statement's size under a burst. */
    private readonly maxBatch: number,
  ) {}

  add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) void this.writeWaiting();
    });
  }

  private async writeWaiting(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const outputs = await this.write(batch.map((w) => w.item));
        for (const [i, w] of batch.entries()) w.resolve(outputs[i] as O);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = false;
  }
}
