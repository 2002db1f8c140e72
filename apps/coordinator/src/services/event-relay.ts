import { randomBytes } from 'node:crypto';
import type { JobRequirements, JobStreamEvent } from '@aitbc/contracts';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { ServiceContext } from './context.js';
import { EVENT_COLUMNS, type EventOutbox, type JobEventRow, toStreamEvent } from './job-events.js';
import type { SignalRelay } from './job-signal.js';

/** What one instance tells the others; short keys, since a NOTIFY payload is under 8000 bytes. */
interface RelayMessage {
  /** The sending instance (its own messages come back to it on PostgreSQL). */
  i: string;
  /**
   * New job events: [job id, event id], plus the miner for a cancellation of a running job, so
   * the instance holding that miner's push channel tells it at once. Receivers that watch the
   * job read the events themselves.
   */
  e?: RelayedEvent[];
  /** Jobs queued: wake a matching poll. */
  q?: JobRequirements[];
  /** Miners whose slot was freed. */
  s?: string[];
  /** Presence: 1 = "I have started" (answered with 2 by every instance that hears it). */
  h?: 1 | 2;
}

type RelayedEvent = [jobId: string, eventId: string, canceledMinerId?: string];

/** How long locally published notices are collected before one send. */
const BATCH_MS = 5;
/** How long notices collected while alone are kept for a peer that may just be starting. */
const BACKLOG_MS = 2000;
/** Payload bytes per message, under PostgreSQL's NOTIFY limit of 8000. */
const MAX_PAYLOAD = 7000;
const PG_CHANNEL = 'aitbc_job_events';

/** A pub/sub channel between instances: PostgreSQL LISTEN/NOTIFY or Redis pub/sub. */
interface Channel {
  send(payloads: string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Carries job events and queue wake-ups between coordinator instances. Locally published notices
 * are collected for BATCH_MS and sent as one statement (`select pg_notify(...)` over an unnest,
 * or one Redis pipeline), never inside the lifecycle statements, where a NOTIFY would serialize
 * commits. A receiver reads the events from `job_events` only for jobs someone watches there.
 *
 * An instance alone relays nothing (under load that was a statement every few milliseconds and
 * its echo, for nobody). Each instance announces itself when it starts; every instance that hears
 * an announcement answers it, so from then on both know they are not alone and relay everything.
 * Start-up waits until the announcement has come back through the channel (both channels deliver
 * a sender's own messages to it too), plus a short grace for the others to hear it. What an
 * instance collected while it believed itself alone is kept for BACKLOG_MS and sent when it first
 * hears of another instance, so nothing published in the moments before the two found each
 * other is lost (receivers drop what they already delivered, by event id). Once peers were seen,
 * relaying stays on for the life of the process.
 */
export class EventRelay implements EventOutbox, SignalRelay {
  readonly instanceId = randomBytes(8).toString('hex');
  private events: RelayedEvent[] = [];
  private queued: JobRequirements[] = [];
  private freed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  channel: Channel | null = null;
  /** Another instance has spoken on the channel: from then on, everything is relayed. */
  peers = false;
  /** While alone: what was collected, by when, for the first peer to come. */
  private backlog: {
    at: number;
    events: RelayedEvent[];
    queued: JobRequirements[];
    freed: string[];
  }[] = [];
  private announced: (() => void) | null = null;

  constructor(private readonly ctx: ServiceContext) {}

  jobEvents(events: readonly JobStreamEvent[]): void {
    for (const e of events) {
      const canceledMiner = e.type === 'canceled' ? e.miner_id : undefined;
      this.events.push(
        canceledMiner ? [e.job_id, e.event_id, canceledMiner] : [e.job_id, e.event_id],
      );
    }
    this.schedule();
  }

  jobQueued(requirements: JobRequirements): void {
    this.queued.push(requirements);
    this.schedule();
  }

  slotFreed(minerId: string): void {
    this.freed.add(minerId);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  /** Sends what was collected, split into payloads that fit one NOTIFY each. */
  flush(): void {
    this.timer = null;
    if (!this.peers) {
      this.keepWhileAlone();
      return;
    }
    const payloads: string[] = [];
    let current: RelayMessage = { i: this.instanceId };
    let size = 40;
    const add = (key: 'e' | 'q' | 's', item: unknown) => {
      const length = JSON.stringify(item).length + 1;
      if (size + length > MAX_PAYLOAD) {
        payloads.push(JSON.stringify(current));
        current = { i: this.instanceId };
        size = 40;
      }
      const list = (current[key] ?? []) as unknown[];
      list.push(item);
      (current as unknown as Record<string, unknown[]>)[key] = list;
      size += length;
    };
    for (const e of this.events) add('e', e);
    for (const q of this.queued) add('q', q);
    for (const s of this.freed) add('s', s);
    this.events = [];
    this.queued = [];
    this.freed.clear();
    if (size > 40) payloads.push(JSON.stringify(current));
    if (payloads.length === 0 || !this.channel) return;
    this.channel.send(payloads).catch((err: unknown) => {
      this.ctx.log.warn({ err }, 'relaying events to other instances failed');
    });
  }

  private receiving: Promise<void> = Promise.resolve();

  /**
   * A message from the channel: another instance's notices, delivered here. Messages are handled
   * one after the other, so a job's events reach its watchers in id order.
   */
  receive(payload: string): Promise<void> {
    this.receiving = this.receiving
      .then(() => this.handle(payload))
      .catch((err: unknown) => this.ctx.log.warn({ err }, 'reading relayed events failed'));
    return this.receiving;
  }

  private keepWhileAlone(): void {
    const now = Date.now();
    this.backlog.push({
      at: now,
      events: this.events,
      queued: this.queued,
      freed: [...this.freed],
    });
    this.events = [];
    this.queued = [];
    this.freed.clear();
    while (this.backlog.length > 0 && this.backlog[0]!.at < now - BACKLOG_MS) this.backlog.shift();
  }

  /** The first word from another instance: relay from now on, starting with the backlog. */
  private peerSeen(): void {
    if (this.peers) return;
    this.peers = true;
    const kept = this.backlog;
    this.backlog = [];
    this.events = [...kept.flatMap((b) => b.events), ...this.events];
    this.queued = [...kept.flatMap((b) => b.queued), ...this.queued];
    for (const b of kept) for (const id of b.freed) this.freed.add(id);
    this.schedule();
  }

  /** Tells the others this instance is here; resolves once the announcement has come back. */
  async announce(graceMs = 50): Promise<void> {
    const back = new Promise<void>((resolve) => {
      this.announced = resolve;
    });
    await this.channel?.send([this.hello(1)]);
    await Promise.race([back, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await new Promise((resolve) => setTimeout(resolve, graceMs));
  }

  private hello(kind: 1 | 2): string {
    return JSON.stringify({ i: this.instanceId, h: kind } satisfies RelayMessage);
  }

  private async handle(payload: string): Promise<void> {
    // Both channels deliver this instance's own messages back to it: skip them before parsing,
    // except its announcement, whose return tells start-up that the others have heard it.
    if (payload.startsWith(`{"i":"${this.instanceId}"`)) {
      if (payload === this.hello(1)) this.announced?.();
      return;
    }
    let message: RelayMessage;
    try {
      message = JSON.parse(payload) as RelayMessage;
    } catch {
      return;
    }
    if (message.i === this.instanceId) return;
    this.peerSeen();
    if (message.h === 1) await this.channel?.send([this.hello(2)]);
    for (const requirements of message.q ?? []) this.ctx.signal.remoteJobQueued(requirements);
    for (const minerId of message.s ?? []) this.ctx.signal.remoteSlotFreed(minerId);
    for (const [jobId, , minerId] of message.e ?? []) {
      if (minerId) this.ctx.push.jobCanceled(minerId, jobId);
    }
    const wanted = (message.e ?? []).filter(([jobId]) => this.ctx.events.wants(jobId));
    if (wanted.length === 0) return;
    const { rows } = await this.ctx.db.query<JobEventRow>(
      `select ${EVENT_COLUMNS} from job_events where id = any($1::bigint[]) order by id`,
      [wanted.map(([, id]) => id)],
    );
    this.ctx.events.deliver(rows.map(toStreamEvent));
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.channel?.close();
  }
}

/**
 * Starts the relay for several instances: Redis pub/sub with REDIS_URL, else LISTEN/NOTIFY on
 * PostgreSQL; none on the embedded database (one process). Returns null when there is none.
 */
export async function startEventRelay(
  ctx: ServiceContext,
  redis: Redis | null,
): Promise<EventRelay | null> {
  if (!redis && ctx.db.embedded) return null;
  const relay = new EventRelay(ctx);
  const onMessage = (payload: string) => void relay.receive(payload);
  relay.channel = redis
    ? await redisChannel(redis, `${ctx.config.redisKeyPrefix}job-events`, onMessage)
    : await postgresChannel(ctx, onMessage);
  ctx.events.setOutbox(relay);
  ctx.signal.setRelay(relay);
  await relay.announce();
  return relay;
}

async function redisChannel(
  redis: Redis,
  channel: string,
  onMessage: (payload: string) => void,
): Promise<Channel> {
  // A subscribed connection can do nothing else: one of its own (ioredis resubscribes on reconnect).
  const subscriber = redis.duplicate({ enableOfflineQueue: true });
  subscriber.on('error', () => {});
  subscriber.on('message', (_channel: string, payload: string) => onMessage(payload));
  await subscriber.connect();
  await subscriber.subscribe(channel);
  return {
    async send(payloads) {
      const pipeline = redis.pipeline();
      for (const p of payloads) pipeline.publish(channel, p);
      await pipeline.exec();
    },
    async close() {
      subscriber.disconnect();
    },
  };
}

/** LISTEN on one dedicated connection, re-established (and re-LISTENed) if it drops. */
async function postgresChannel(
  ctx: ServiceContext,
  onMessage: (payload: string) => void,
): Promise<Channel> {
  let closed = false;
  let client: pg.Client | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: ctx.config.databaseUrl ?? undefined });
    c.on('notification', (n) => {
      if (n.payload) onMessage(n.payload);
    });
    c.on('error', () => {});
    c.on('end', () => {
      if (closed) return;
      ctx.log.warn({}, 'the LISTEN connection of the event relay dropped; reconnecting');
      const retry = () => connect().catch(() => setTimeout(retry, 1000).unref());
      setTimeout(retry, 200).unref();
    });
    await c.connect();
    await c.query(`listen ${PG_CHANNEL}`);
    client = c;
  };
  await connect();
  return {
    async send(payloads) {
      await ctx.db.pool.query('select pg_notify($1, p) from unnest($2::text[]) p', [
        PG_CHANNEL,
        payloads,
      ]);
    },
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}
