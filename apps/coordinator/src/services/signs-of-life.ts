import type { MinerProfile, MinerStatus } from '@aitbc/contracts';
import type { Database } from '../db/database.js';
import { addSeconds, type Clock } from './clock.js';
import { GroupCommit } from './group-commit.js';

/** What recording a sign of life tells about the miner. */
export interface Recorded {
  status: MinerStatus;
  profile: MinerProfile;
  /** Its RUNNING jobs that were canceled and not yet reported on. */
  cancelJobIds: string[];
}

interface SignOfLife {
  minerId: string;
  /** New metadata as JSON, or undefined to keep the stored one. */
  metadata: string | undefined;
}

/** Most signs of life recorded by one round. */
const MAX_BATCH = 1000;

/**
 * Records signs of life (heartbeat, poll, register) by group commit (group-commit.ts): while one
 * round is in flight, the miners that show up wait and are recorded together by the next; a miner
 * seen twice in a round is written once, with its latest metadata. A lone heartbeat is written at
 * once; 10,000 miners heartbeating cost one statement per round instead of one per heartbeat.
 *
 * A round is one statement (one round trip; it was five, and every heartbeat that arrived during
 * a round waited for all of them), locking rows in id order (so rounds of several instances
 * cannot deadlock each other), jobs before miners (the lock order of result/fail/cancel, which
 * lock the job row and then the miner row):
 * 1. extend the leases of their RUNNING jobs that are still live (an expired lease stays lost
 *    even if the sweeper has not run yet);
 * 2. stamp `last_seen_at`, revive OFFLINE miners (to DRAINING if they were draining), keep
 *    metadata;
 * 3. read the cancel notices of their running jobs.
 * A round commits without waiting for the WAL flush (Database.relaxedQuery), like the
 * reference's heartbeats: a crash may lose the last fraction of a second of `last_seen_at` and
 * lease extensions, which only makes leases that much shorter; no job state is written here.
 */
export class SignsOfLife {
  private readonly rounds = new GroupCommit<SignOfLife, Recorded | null>(
    (signs) => this.write(signs),
    MAX_BATCH,
  );

  constructor(
    private readonly db: Pick<Database, 'relaxedQuery'>,
    private readonly clock: Clock,
    private readonly leaseSeconds: number,
  ) {}

  /** Resolves when recorded; null when no such miner is registered. */
  record(minerId: string, metadata?: Record<string, unknown>): Promise<Recorded | null> {
    return this.rounds.add({
      minerId,
      metadata: metadata === undefined ? undefined : JSON.stringify(metadata),
    });
  }

  private async write(signs: SignOfLife[]): Promise<(Recorded | null)[]> {
    // One row per miner, in order of first appearance, with the latest metadata sent.
    const metadataOf = new Map<string, string | null>();
    for (const { minerId, metadata } of signs)
      metadataOf.set(minerId, metadata ?? metadataOf.get(minerId) ?? null);
    const now = this.clock.now();
    const { rows } = await this.db.relaxedQuery<{
      id: string;
      status: MinerStatus;
      profile: MinerProfile;
      cancel_job_ids: string[];
    }>(ROUND_SQL, [
      [...metadataOf.keys()],
      now,
      addSeconds(now, this.leaseSeconds),
      [...metadataOf.values()],
    ]);
    const recorded = new Map<string, Recorded>(
      rows.map((m) => [
        m.id,
        { status: m.status, profile: m.profile, cancelJobIds: m.cancel_job_ids },
      ]),
    );
    return signs.map((s) => recorded.get(s.minerId) ?? null);
  }
}

/**
 * One round. `extended` runs first: `seen` locks the miners only after reading its row count,
 * which makes PostgreSQL finish the jobs' lease extension (and their locks) before it. Miners are
 * locked one by one in id order through their primary key, and `= any` keeps the update on the
 * index too: as joins, both read all 10,000 miners of the heartbeat bench on every round.
 */
const ROUND_SQL = `
with extended as (
  update jobs set lease_expires_at = $3
  where id in (
    select id from jobs
    where assigned_miner_id = any($1::text[]) and state = 'RUNNING' and lease_expires_at > $2
    order by id for update
  )
  returning id
), seen as (
  select m.id, b.metadata
  from (
    select * from unnest($1::text[], $4::jsonb[]) as b(id, metadata)
    where (select count(*) from extended) >= 0
    order by id
  ) b
  cross join lateral (select id from miners where miners.id = b.id for update) m
), stamped as (
  update miners set last_seen_at = $2,
    status = case when status <> 'OFFLINE' then status when draining then 'DRAINING' else 'ONLINE' end,
    metadata = coalesce(seen.metadata, miners.metadata)
  from seen where miners.id = seen.id and miners.id = any($1::text[])
  returning miners.id, miners.status, json_build_object('gpus', gpus, 'cuda', cuda,
    'models', models, 'region', match_region, 'price', price, 'services', services) as profile
)
select s.id, s.status, s.profile, coalesce(c.job_ids, '{}') as cancel_job_ids
from stamped s
left join (
  select miner_id, array_agg(job_id order by job_id) as job_ids
  from job_attempts
  where miner_id = any($1::text[]) and cancel_notice_until is not null
    and cancel_notice_until > $2
  group by miner_id
) c on c.miner_id = s.id`;
