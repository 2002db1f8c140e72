import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiKeyEntry, parseApiKeys, type Role } from './api-keys.js';
import type { Config } from './config.js';

export interface DevKey {
  role: Role;
  name: string;
  key: string;
}

const FILE = 'dev-api-keys.json';

/**
 * Outside production, every role without configured keys gets one dev key, generated once and
 * kept in DATA_DIR so that it survives restarts. They are printed at start-up.
 */
export function ensureDevKeys(config: Config): { entries: ApiKeyEntry[]; generated: DevKey[] } {
  if (config.production) return { entries: [], generated: [] };
  const missing = (['client', 'miner', 'admin'] as const).filter(
    (role) => !config.keysFromEnv[role],
  );
  if (missing.length === 0) return { entries: [], generated: [] };
  const path = join(config.dataDir, FILE);
  const stored: DevKey[] = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as DevKey[])
    : [];
  const keys = missing.map(
    (role) =>
      stored.find((k) => k.role === role) ?? {
        role,
        name: `dev-${role}`,
        key: `${role[0]}k_dev_${randomBytes(16).toString('hex')}`,
      },
  );
  if (keys.some((k) => !stored.includes(k))) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(
      path,
      `${JSON.stringify([...stored.filter((s) => !keys.includes(s)), ...keys], null, 2)}\n`,
      { mode: 0o600 },
    );
  }
  return {
    entries: keys.flatMap((k) => parseApiKeys(`${k.name}:${k.key}`, k.role)),
    generated: keys,
  };
}
