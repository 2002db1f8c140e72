import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

export type Role = 'client' | 'miner' | 'admin';

export interface Credentials {
  apiKey: string;
  /** When set, requests are signed (contract §8a) and the key itself is not sent. */
  keyId?: string;
  /** Where the key came from, for error messages. */
  source: string;
}

export interface CredentialInput {
  role: Role;
  flagKey?: string | undefined;
  flagKeyId?: string | undefined;
  env: NodeJS.ProcessEnv;
}

const ENV_NAME: Record<Role, string> = {
  client: 'AITBC_CLIENT_KEY',
  miner: 'AITBC_MINER_KEY',
  admin: 'AITBC_ADMIN_KEY',
};

/**
 * The key for a command's role: `--key`, else `AITBC_<ROLE>_KEY`, else the dev key that a local
 * `npm start` wrote to `$DATA_DIR/dev-api-keys.json` (./.data by default), so that on a laptop the
 * CLI works against the dev coordinator with no set-up. Production keys are never written there.
 */
export function resolveCredentials(input: CredentialInput): Credentials {
  const keyId = input.flagKeyId ?? input.env.AITBC_KEY_ID;
  const withKeyId = (c: Credentials): Credentials => (keyId ? { ...c, keyId } : c);
  if (input.flagKey) return withKeyId({ apiKey: input.flagKey, source: '--key' });
  const fromEnv = input.env[ENV_NAME[input.role]];
  if (fromEnv) return withKeyId({ apiKey: fromEnv, source: ENV_NAME[input.role] });
  const devFile = join(input.env.DATA_DIR ?? '.data', 'dev-api-keys.json');
  const devKey = readDevKey(devFile, input.role);
  if (devKey) return withKeyId({ apiKey: devKey, source: devFile });
  throw new CliError(
    EXIT.USAGE,
    `no ${input.role} key: pass --key or set ${ENV_NAME[input.role]} (or run next to a local \`npm start\`, whose dev keys are in ${devFile})`,
  );
}

function readDevKey(path: string, role: Role): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const keys = JSON.parse(readFileSync(path, 'utf8')) as { role?: string; key?: string }[];
    return keys.find((k) => k.role === role)?.key;
  } catch {
    return undefined;
  }
}
