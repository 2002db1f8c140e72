import type { ServiceContext } from '../services/context.js';
import { keepPushSubscribersAlive } from '../services/push-assignments.js';
import { sweepExpired } from './expiry-sweeper.js';
import { sweepLeases } from './lease-sweeper.js';

/**
 * Runs every sweep on an interval. `runOnce` is the unit that tests drive directly (with a
 * manual clock) instead of sleeping.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly ctx: ServiceContext) {}

  async runOnce() {
    const { clock, config, leases: book } = this.ctx;
    book.prune(new Date(clock.now().getTime() - config.jobTimeoutSeconds * 1000));
    // Before the lease sweep: an open push subscription keeps its miner's leases alive.
    const pushSignsOfLife = await keepPushSubscribersAlive(this.ctx);
    const leases = await sweepLeases(this.ctx);
    const expiry = await sweepExpired(this.ctx);
    const noncesPruned = await this.ctx.nonces.prune(clock.now());
    return { ...leases, ...expiry, noncesPruned, pushSignsOfLife };
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.running) return; // a slow sweep is never overlapped by the next
      this.running = this.runOnce()
        .catch((err: unknown) => this.ctx.log.error({ err }, 'sweep failed'))
        .finally(() => {
          this.running = null;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
