import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { type DbKind, databaseUrlFor, withAdmin } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template: a PGlite data dir or a PostgreSQL database name. */
    dbTemplate: string;
  }
}

/**
 * Migrates one template database per run. On PostgreSQL an unreachable server is an error, never
 * a skip: the config only selects this project when PostgreSQL is reachable or CI=true.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const kind = (project.config.env?.AITBC_TEST_DB ?? 'embedded') as DbKind;
  if (kind === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'aitbc-template-'));
    const db = await openDatabase({ url: null, dataDir: dir, poolMax: 2 });
    await db.close();
    project.provide('dbTemplate', join(dir, 'pglite'));
    return async () => rmSync(dir, { recursive: true, force: true });
  }
  const name = `aitbc_template_${process.pid}`;
  await withAdmin(async (c) => {
    await c.query(`drop database if exists ${name}`);
    await c.query(`create database ${name}`);
  });
  const db = await openDatabase({ url: databaseUrlFor(name), dataDir: tmpdir(), poolMax: 2 });
  await db.close();
  project.provide('dbTemplate', name);
  return async () => {
    await withAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
  };
}
