import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Whether this run covers PostgreSQL. vitest.config.ts turns it on when PostgreSQL answers or
 * when CI=true; in CI an unreachable server then fails `createDatabase`, it is never skipped.
 */
export const postgresEnabled = (): boolean => process.env.AITBC_IT_POSTGRES === 'on';

const adminUrl = () =>
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface OwnDatabase {
  name: string;
  url: string;
  /** One query on a short-lived connection (the coordinator may be dead or restarting). */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one test file; the coordinator migrates it on its first boot. */
export async function createDatabase(): Promise<OwnDatabase> {
  const name = `aitbc_it_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl(), (c) => c.query(`create database ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    query: async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
      (await withClient(url.toString(), (c) => c.query<R>(sql, params))).rows,
    drop: () =>
      withClient(adminUrl(), async (c) => {
        await c.query(`drop database if exists ${name} with (force)`);
      }),
  };
}
