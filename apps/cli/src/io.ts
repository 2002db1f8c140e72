import type { AitbcClient } from '@aitbc/client';
import { createClient } from '@aitbc/client';
import { type Credentials, type Role, resolveCredentials } from './credentials.js';

/** Where a command writes, and what it knows of its environment: injectable for tests. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Reads a file, or standard input for `-`. */
  readInput(path: string): Promise<string>;
}

/** Flags every command takes. */
export interface GlobalFlags {
  url?: string | undefined;
  key?: string | undefined;
  'key-id'?: string | undefined;
  json?: boolean | undefined;
}

export const DEFAULT_URL = 'http://127.0.0.1:8011';

/** What a command runs with: its output, its mode and a way to get a client for a role. */
export class CommandContext {
  constructor(
    readonly io: Io,
    readonly flags: GlobalFlags,
  ) {}

  get json(): boolean {
    return this.flags.json === true;
  }

  get baseUrl(): string {
    return this.flags.url ?? this.io.env.AITBC_URL ?? DEFAULT_URL;
  }

  credentials(role: Role): Credentials {
    return resolveCredentials({
      role,
      flagKey: this.flags.key,
      flagKeyId: this.flags['key-id'],
      env: this.io.env,
    });
  }

  /** An SDK client acting as `role`; public routes work with any role's key. */
  client(role: Role): AitbcClient {
    const { apiKey, keyId } = this.credentials(role);
    return createClient({
      baseUrl: this.baseUrl,
      apiKey,
      ...(keyId ? { signing: { keyId } } : {}),
    });
  }

  /** A client for routes that need no key: a key is used when there is one, none otherwise. */
  publicClient(): AitbcClient {
    return createClient({ baseUrl: this.baseUrl, apiKey: this.optionalKey() ?? '' });
  }

  private optionalKey(): string | undefined {
    try {
      return this.credentials('client').apiKey;
    } catch {
      return undefined;
    }
  }

  /** Human text, or the value as JSON in --json mode. */
  print(human: string, value: unknown): void {
    this.io.stdout.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
  }
}
