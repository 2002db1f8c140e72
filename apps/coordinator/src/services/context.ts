import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { Clock } from './clock.js';
import type { Completion } from './complete-job.js';
import type { GroupCommit } from './group-commit.js';
import type { JobEventHub } from './job-events.js';
import type { JobSignal } from './job-signal.js';
import type { LeaseBook } from './lease-book.js';
import type { LongPollSlots } from './long-poll-slots.js';
import type { MinerPresence } from './miner-presence.js';
import type { NonceStore } from './nonce-store.js';
import type { PushChannels } from './push-channels.js';
import type { ReceiptKeys } from './receipt-keys.js';
import type { ProgressThrottle } from './report-progress.js';
import type { Settlement } from './settlement.js';
import type { SignsOfLife } from './signs-of-life.js';
import type { NewJobRow } from './submit-job.js';

/** What every service function is given: built once in createApp, never global. */
export interface ServiceContext {
  config: Config;
  db: Database;
  clock: Clock;
  signal: JobSignal;
  /** Job events as they are written: watchers (jobs.watch, admin.events) and the relay. */
  events: JobEventHub;
  /** Two progress events per second per job, the last report always delivered. */
  progress: ProgressThrottle;
  presence: MinerPresence;
  signsOfLife: SignsOfLife;
  leases: LeaseBook;
  /** New jobs (submits without an Idempotency-Key), inserted by group commit. */
  jobInserts: GroupCommit<NewJobRow, string | null>;
  /** Results under a lease (RUNNING → COMPLETED with the receipt), written by group commit. */
  completions: GroupCommit<Completion, string | null>;
  keys: ReceiptKeys;
  settlement: Settlement;
  /** Nonces of signed requests, where every instance sees them. */
  nonces: NonceStore;
  longPolls: LongPollSlots;
  /** Miners' push subscriptions (miners.assignments) open on this instance. */
  push: PushChannels;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}
