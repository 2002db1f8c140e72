import { DEFAULT_DRAIN_GRACE_MS } from './constants.js';

interface Stoppable {
  stop(graceMs: number): Promise<void>;
  force(): void;
  readonly log: {
    info(message: string): void;
    error(message: string, fields?: Record<string, unknown>): void;
  };
}

/**
 * Process signals as an orchestrator sends them: the first SIGTERM or SIGINT drains (no new
 * jobs, in-flight ones finish within the grace period) and exits 0 once done; a second one
 * aborts what is still running, fails it retryably so it requeues, and exits as soon as that
 * is reported.
 */
export function handleSignals(miner: Stoppable, graceMs = DEFAULT_DRAIN_GRACE_MS): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received > 1) {
      miner.log.info(`${signal} again: aborting the jobs still running`);
      miner.force();
      return;
    }
    miner.log.info(`${signal}: draining (send it again to abort running jobs)`);
    miner.stop(graceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        miner.log.error('stop failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
