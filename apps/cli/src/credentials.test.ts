import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCredentials } from './credentials.js';
import { CliError } from './exit-codes.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function devDir(keys: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'aitbc-cli-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'dev-api-keys.json'), JSON.stringify(keys));
  return dir;
}

describe('resolveCredentials', () => {
  it('prefers --key, then the role variable, then the dev keys file', () => {
    const dir = devDir([{ role: 'admin', name: 'dev-admin', key: 'ak_dev' }]);
    const env = { DATA_DIR: dir, AITBC_ADMIN_KEY: 'ak_env' };
    expect(resolveCredentials({ role: 'admin', flagKey: 'ak_flag', env }).apiKey).toBe('ak_flag');
    expect(resolveCredentials({ role: 'admin', env }).apiKey).toBe('ak_env');
    expect(resolveCredentials({ role: 'admin', env: { DATA_DIR: dir } })).toMatchObject({
      apiKey: 'ak_dev',
      source: join(dir, 'dev-api-keys.json'),
    });
  });

  it('takes the key id for signing from --key-id or AITBC_KEY_ID', () => {
    const env = { AITBC_CLIENT_KEY: 'ck', AITBC_KEY_ID: 'alice' };
    expect(resolveCredentials({ role: 'client', env }).keyId).toBe('alice');
    expect(resolveCredentials({ role: 'client', flagKeyId: 'bob', env }).keyId).toBe('bob');
  });

  it('is a usage error naming the variable when no key is found', () => {
    const dir = devDir([{ role: 'client', key: 'ck_dev' }]);
    const call = () => resolveCredentials({ role: 'miner', env: { DATA_DIR: dir } });
    expect(call).toThrow(CliError);
    expect(call).toThrow(/AITBC_MINER_KEY/);
  });
});
