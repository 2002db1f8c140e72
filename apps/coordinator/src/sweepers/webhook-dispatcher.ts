import type { ServiceContext } from '../services/context.js';
import { DELIVERY_BATCH, deliverDue } from '../services/webhooks/deliveries.js';
import { fillOutbox, OUTBOX_BATCH } from '../services/webhooks/outbox.js';

/** A burst of events (one statement often writes several) becomes one run. */
const WAKE_DELAY_MS = 20;

/**
 * Webhooks from the outbox (contract §7a): each run turns new job_events into deliveries and
 * sends the deliveries that are due. `runOnce` is what tests drive with a manual clock.
 *
 * createApp calls `wake()` for every event this instance publishes. The interval tick
 * (SWEEP_INTERVAL_MS, 1 s by default) covers retries that fall due and events written by other
 * instances: one indexed range read of job_events past the cursor and one of the partial
 * due-index, both empty-handed when nothing happened. A full batch runs again at once.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private scheduled: NodeJS.Timeout | null = null;
  private again = false;
  private readonly shutdown = new AbortController();

  constructor(private readonly ctx: ServiceContext) {}

  async runOnce(): Promise<{ read: number; queued: number; attempted: number; delivered: number }> {
    const filled = await fillOutbox(this.ctx);
    const sent = await deliverDue(this.ctx, this.shutdown.signal);
    if (filled.read === OUTBOX_BATCH || sent.attempted === DELIVERY_BATCH) this.again = true;
    return { ...filled, ...sent };
  }

  /** Runs soon (or right after the run in progress): something happened. */
  wake(): void {
    if (this.shutdown.signal.aborted || this.scheduled) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.scheduled = setTimeout(() => this.run(), WAKE_DELAY_MS);
    this.scheduled.unref();
  }

  private run(): void {
    this.scheduled = null;
    this.running = this.runOnce()
      .then(() => undefined)
      .catch((err: unknown) => this.ctx.log.error({ err }, 'webhook dispatch failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.wake(), intervalMs);
    this.timer.unref();
  }

  /** Stops the loop and cuts in-flight deliveries short; their claims lapse and are retried. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.scheduled) clearTimeout(this.scheduled);
    this.timer = null;
    this.scheduled = null;
    this.shutdown.abort();
    await this.running;
  }
}
