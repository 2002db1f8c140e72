import { parseArgs } from 'node:util';
import { CliError, EXIT } from '../exit-codes.js';

/**
 * Every flag of every command, so that one parse gives precise types. Which flags a command
 * accepts is checked after parsing (`allowOnly`), so a flag meant elsewhere is an error, not
 * silently ignored.
 */
export const OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  'key-id': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  // jobs submit
  service: { type: 'string' },
  payload: { type: 'string' },
  'payload-file': { type: 'string' },
  constraints: { type: 'string' },
  gpu: { type: 'string' },
  'min-vram': { type: 'string' },
  cuda: { type: 'string' },
  model: { type: 'string', multiple: true },
  region: { type: 'string' },
  'max-price': { type: 'string' },
  priority: { type: 'string' },
  ttl: { type: 'string' },
  'run-timeout': { type: 'string' },
  'max-attempts': { type: 'string' },
  'idempotency-key': { type: 'string' },
  wait: { type: 'boolean' },
  // wait, list, receipt, verify, services, admin
  timeout: { type: 'string' },
  state: { type: 'string' },
  status: { type: 'string' },
  client: { type: 'string' },
  miner: { type: 'string' },
  category: { type: 'string' },
  search: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  keys: { type: 'string' },
} as const;

export const GLOBAL_FLAGS = ['url', 'key', 'key-id', 'json', 'help'] as const;

export function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(EXIT.USAGE, (error as Error).message);
  }
}

export type Args = ReturnType<typeof parseCommandLine>;

/** A usage error for any flag given that this command does not take. */
export function allowOnly(
  args: Args,
  what: string,
  flags: readonly (keyof typeof OPTIONS)[],
): void {
  const allowed = new Set<string>([...GLOBAL_FLAGS, ...flags]);
  const stray = Object.keys(args.values).filter((flag) => !allowed.has(flag));
  if (stray.length > 0)
    throw new CliError(
      EXIT.USAGE,
      `${what} does not take ${stray.map((f) => `--${f}`).join(', ')}`,
    );
}

/** The one positional argument after `<group> <command>`. */
export function oneId(args: Args, name: string): string {
  const [, , id, ...rest] = args.positionals;
  if (!id || rest.length > 0) throw new CliError(EXIT.USAGE, `expected exactly one <${name}>`);
  return id;
}

export function numberArg(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new CliError(EXIT.USAGE, `${flag} must be a number, got "${text}"`);
  return value;
}

export function jsonArg(flag: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(EXIT.USAGE, `${flag} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CliError(EXIT.USAGE, `${flag} must be a JSON object`);
  return value as Record<string, unknown>;
}
