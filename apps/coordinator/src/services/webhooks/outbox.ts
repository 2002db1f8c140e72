import type { ServiceContext } from '../context.js';
import { uuidv7 } from '../ids.js';
import { EVENT_COLUMNS, type JobEventRow, toStreamEvent } from '../job-events.js';

/** job_events read per run; the next run (woken at once when this one was full) continues. */
export const OUTBOX_BATCH = 500;

/**
 * How long a hole in the event ids may stay open before the dispatcher steps over it. Event ids
 * come from an identity column: a transaction may take id 5, another id 6 and commit first, so a
 * reader that moved its cursor to 6 would never see 5. The cursor therefore stops before a hole
 * until the event after it is this old: by then the transaction holding the missing id has
 * committed (and 5 is read) or rolled back (and 5 never will exist).
 */
export const EVENT_GAP_GRACE_MS = 10_000;

/**
 * One event past the cursor. Only events of jobs with a webhook carry their columns (the rest are
 * null): every event is read for the cursor's sake, but most jobs have no webhook, and parsing
 * their events in full cost more than anything else the dispatcher did.
 */
type EventRow = {
  /** The event id as a number, for the cursor. */
  seq: number;
  /** When the event was written (ms since the epoch), for the hole check. */
  seq_at_ms: number;
} & (
  | ({ webhook_url: string; webhook_events: string[] | null } & JobEventRow)
  | { webhook_url: null; webhook_events: null }
);
type HookedEventRow = Extract<EventRow, { webhook_url: string }>;

/**
 * Turns new job_events of jobs with a webhook into outbox rows (webhook_deliveries) and moves
 * the cursor over what it read, in ONE statement (so one transaction, without holding one open
 * across round trips, which on the embedded database would stall every other connection): a
 * crash repeats the work, never loses it. With several instances, two may read the same events:
 * the unique event_id drops the second insert, and the cursor only moves from where its reader
 * found it.
 */
export async function fillOutbox(ctx: ServiceContext): Promise<{ read: number; queued: number }> {
  const cursor = await ctx.db.query<{ last_event_id: number }>(
    'select last_event_id from webhook_cursor',
  );
  const last = cursor.rows[0]?.last_event_id ?? 0;
  const { rows } = await ctx.db.query<EventRow>(
    `select e.seq, e.seq_at_ms, j.webhook_url, j.webhook_events, f.*
     from (
       select id as seq, (extract(epoch from at) * 1000)::float8 as seq_at_ms, job_id
       from job_events where id > $1 order by id limit $2
     ) e
     left join jobs j on j.id = e.job_id and j.webhook_url is not null
     left join lateral (
       select ${EVENT_COLUMNS} from job_events f where f.id = e.seq and j.id is not null
     ) f on true
     order by e.seq`,
    [last, OUTBOX_BATCH],
  );
  const now = ctx.clock.now();
  const settled = settledPrefix(last, rows, now);
  const through = settled.at(-1)?.seq;
  if (through === undefined) return { read: 0, queued: 0 };
  const wanted = settled.filter(
    (r): r is HookedEventRow => r.webhook_url !== null && (r.webhook_events ?? []).includes(r.type),
  );
  await ctx.db.query(
    `with queued as (
       insert into webhook_deliveries
         (id, job_id, event_id, event_type, url, body, created_at, next_attempt_at)
       select d.id, d.job_id, d.event_id, d.event_type, d.url, d.body, $7, $7
       from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])
         as d (id, job_id, event_id, event_type, url, body)
       on conflict (event_id) do nothing
     )
     update webhook_cursor set last_event_id = $9 where last_event_id = $8`,
    [
      wanted.map(() => `msg_${uuidv7(now).replaceAll('-', '')}`),
      wanted.map((r) => r.job_id),
      wanted.map((r) => r.seq),
      wanted.map((r) => r.type),
      wanted.map((r) => r.webhook_url),
      wanted.map((r) => JSON.stringify(toStreamEvent(r))),
      now,
      last,
      through,
    ],
  );
  return { read: settled.length, queued: wanted.length };
}

/** The rows up to the first hole in the ids that is still younger than EVENT_GAP_GRACE_MS. */
function settledPrefix(last: number, rows: EventRow[], now: Date): EventRow[] {
  const oldEnough = now.getTime() - EVENT_GAP_GRACE_MS;
  let expected = last + 1;
  let count = 0;
  for (const row of rows) {
    if (row.seq !== expected && row.seq_at_ms > oldEnough) break;
    expected = row.seq + 1;
    count++;
  }
  return rows.slice(0, count);
}
