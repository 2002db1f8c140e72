import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embedded.js';
import { entities } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export interface DatabaseOptions {
  /** `postgres://…`, or null for the embedded database in `dataDir`. */
  url: string | null;
  dataDir: string;
  poolMax: number;
}

/**
 * The two ways in: `orm` (MikroORM: migrations, entity reads, listings) and `pool` (node-postgres:
 * the single-statement conditional writes of the job lifecycle, where ORM overhead and
 * load-modify-flush would be both slower and racier).
 */
export type Query = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

export interface Database {
  orm: MikroORM;
  pool: pg.Pool;
  /**
   * A query through `pool`. On PostgreSQL each distinct statement is prepared once per
   * connection (named), so the lifecycle's big CTE statements are not re-planned on every call.
   * Not on the embedded database: its connections share one backend, and names would collide.
   */
  query: Query;
  /**
   * A query whose commit does not wait for the WAL flush (`synchronous_commit = off`, on a small
   * pool of its own), so a crash may lose its last fraction of a second. Only for writes that are
   * safe to lose that way (signs of life). On the embedded database, the same as `query`.
   */
  relaxedQuery: Query;
  embedded: boolean;
  /** True when the database answers and no migration is pending. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

// numeric/int8 stay strings by default; counts here are small, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let embedded: EmbeddedPostgres | null = null;
  if (options.url === null) {
    embedded = await startEmbeddedPostgres(options.dataDir, options.poolMax * 2 + 4);
  }
  const url = embedded?.url ?? (options.url as string);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    // The claim must walk the queue index in order (claim-job.ts). With filters on the queue, the
    // planner prefers a bitmap scan plus sort, which reads every index entry of a churning queue
    // (dead ones too, and never marks them dead) on each claim: 10x slower once the table has
    // history. No statement on this pool needs a bitmap scan.
    ...(embedded ? {} : { options: '-c enable_bitmapscan=off' }),
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => {});
  let orm: MikroORM;
  try {
    orm = await MikroORM.init({
      clientUrl: url,
      entities,
      extensions: [Migrator],
      migrations: { migrationsList, transactional: true, allOrNothing: true, silent: true },
      pool: { min: 0, max: Math.max(2, Math.ceil(options.poolMax / 2)) },
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: false,
      debug: false,
    });
    await orm.migrator.up();
  } catch (err) {
    await pool.end().catch(() => {});
    await embedded?.stop().catch(() => {});
    throw err;
  }
  const statementNames = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = statementNames.get(text);
    if (name === undefined) {
      name = `s${statementNames.size + 1}`;
      statementNames.set(text, name);
    }
    return name;
  };
  const queryOn =
    (client: pg.Pool | pg.PoolClient): Query =>
    (text, values) =>
      embedded
        ? client.query(text, values)
        : client.query({ name: nameOf(text), text, values: values ?? [] });
  const query = queryOn(pool);
  // random_page_cost 1.1 (the data is in memory): at the default 4 the planner reads every miner
  // row of a large fleet to update the few hundred of one heartbeat round, on every round.
  const relaxedPool = embedded
    ? null
    : new pg.Pool({
        connectionString: url,
        max: 2,
        options: '-c enable_bitmapscan=off -c synchronous_commit=off -c random_page_cost=1.1',
      });
  relaxedPool?.on('error', () => {});
  const relaxedQuery = relaxedPool ? queryOn(relaxedPool) : query;
  return {
    orm,
    pool,
    query,
    relaxedQuery,
    embedded: embedded !== null,
    async isReady() {
      try {
        const pending = await orm.migrator.getPendingMigrations();
        return pending.length === 0;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.end().catch(() => {});
      await relaxedPool?.end().catch(() => {});
      await orm.close(true).catch(() => {});
      await embedded?.stop();
    },
  };
}
