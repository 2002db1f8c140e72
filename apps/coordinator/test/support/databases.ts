import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * Test databases. Every test file gets a database of its own, cloned from a template that
 * global setup migrated once: `CREATE DATABASE … TEMPLATE` on PostgreSQL, a copy of the PGlite
 * data directory on the embedded database. Cloning takes milliseconds; migrating takes seconds.
 */
export type DbKind = 'embedded' | 'postgres';

export const dbKind = (): DbKind =>
  process.env.AITBC_TEST_DB === 'postgres' ? 'postgres' : 'embedded';

/** A superuser URL of the PostgreSQL server the PostgreSQL suites run against. */
export const adminPgUrl = () =>
  process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function databaseUrlFor(name: string): string {
  const url = new URL(adminPgUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  /** DATABASE_URL for the app, or null for the embedded database in `dataDir`. */
  url: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

export async function cloneTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aitbc-test-'));
  const template = inject('dbTemplate');
  if (dbKind() === 'embedded') {
    cpSync(template, join(dataDir, 'pglite'), { recursive: true });
    return {
      url: null,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `aitbc_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name} template ${template}`));
  return {
    url: databaseUrlFor(name),
    dataDir,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await withAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminPgUrl(), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
