import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** What `--services` may name: `echo` is the catch-all for jobs without a service. */
export const EXECUTOR_NAMES = ['echo', 'video_transcoding', 'llm_inference'] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const text = z.string().trim().min(1);

/** A comma-separated list from the command line or the environment, or an array in code. */
const commaList = (value: unknown): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

const serviceList = z.preprocess(
  commaList,
  z.array(z.enum(EXECUTOR_NAMES)).min(1, 'name at least one executor'),
);

/** `MODEL:VRAM_GB` pairs, comma-separated: `NVIDIA RTX 4090:24,NVIDIA A100:80`. */
const gpuList = z.preprocess(
  (v) => {
    const list = commaList(v);
    if (!Array.isArray(list)) return list;
    return list.map((pair) => {
      if (typeof pair !== 'string') return pair;
      const at = pair.lastIndexOf(':');
      return at === -1
        ? { model: pair }
        : { model: pair.slice(0, at).trim(), vram_gb: pair.slice(at + 1) };
    });
  },
  z
    .array(
      z.strictObject({
        model: text.max(128),
        vram_gb: z.coerce.number({ error: 'expected MODEL:VRAM_GB' }).positive().max(4096),
      }),
    )
    .min(1, 'name at least one GPU as MODEL:VRAM_GB'),
);

/**
 * The agent's whole configuration. `startAgent` parses its argument with this schema, so code
 * that runs the agent in-process passes the same fields (numbers may be strings, as from env).
 */
export const AgentConfig = z
  .strictObject({
    url: httpUrl.default('http://127.0.0.1:8011'),
    apiKey: text,
    /** The principal name of the key: requests are then signed with it (contract §8a). */
    keyId: text.optional(),
    concurrency: z.coerce.number().int().min(1).max(256).default(1),
    region: text.max(64).optional(),
    /**
     * GPUs to register instead of the probe's: for hosts whose GPUs nvidia-smi cannot see (some
     * containers) and for demos on machines without one. The coordinator trusts what is declared.
     */
    gpus: gpuList.optional(),
    /** The CUDA version to register instead of the probe's. */
    cuda: z
      .string()
      .regex(/^\d+(\.\d+){0,2}$/, 'expected a version such as 12.4')
      .optional(),
    /** Offer only these executors; by default every one this machine can run. */
    services: serviceList.optional(),
    /** Stop after this many jobs were reported (completed, failed or taken away). */
    once: z.coerce.number().int().min(1).optional(),
    json: z.boolean().default(false),
    resultsDir: text.default('.data/miner-results').transform((dir) => resolve(dir)),
    resultsBaseUrl: httpUrl.optional(),
    llmBaseUrl: httpUrl.optional(),
    llmApiKey: text.optional(),
    llmModel: text.optional(),
    ffmpegPath: text.default('ffmpeg'),
    /** Long-poll wait in seconds (the coordinator caps it). */
    pollWaitSeconds: z.coerce.number().min(0).max(3600).optional(),
  })
  .refine((c) => !c.services?.includes('llm_inference') || c.llmBaseUrl !== undefined, {
    path: ['llmBaseUrl'],
    message: 'llm_inference is in --services but LLM_BASE_URL is not set',
  });
export type AgentConfig = z.output<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;

/** Where each field comes from and what it does, for error messages and `--help`. */
export const CONFIG_SOURCES = {
  url: ['--url', 'COORDINATOR_URL', 'coordinator origin (default http://127.0.0.1:8011)'],
  apiKey: ['--key', 'MINER_API_KEY', 'miner API key (required)'],
  keyId: [
    '--key-id',
    'MINER_KEY_ID',
    "the key's principal name: sign requests, never send the key",
  ],
  concurrency: ['--concurrency', 'MINER_CONCURRENCY', 'jobs run at once (default 1)'],
  region: ['--region', 'MINER_REGION', 'region matched against job constraints'],
  gpus: ['--gpus', 'MINER_GPUS', 'declare GPUs (MODEL:VRAM_GB,…) instead of probing'],
  cuda: ['--cuda', 'MINER_CUDA', 'declare the CUDA version instead of probing'],
  services: ['--services', 'MINER_SERVICES', 'comma list of echo,video_transcoding,llm_inference'],
  once: ['--once', null, 'exit 0 after this many jobs'],
  json: ['--json', null, 'log JSON lines'],
  pollWaitSeconds: ['--poll-wait', 'MINER_POLL_WAIT_SECONDS', 'long-poll wait (default 15)'],
  resultsDir: [null, 'RESULTS_DIR', 'where transcoded videos go (default ./.data/miner-results)'],
  resultsBaseUrl: [null, 'RESULTS_BASE_URL', 'URL at which RESULTS_DIR is served, if it is'],
  llmBaseUrl: [null, 'LLM_BASE_URL', 'OpenAI-compatible server; enables llm_inference'],
  llmApiKey: [null, 'LLM_API_KEY', 'bearer key for that server'],
  llmModel: [null, 'LLM_MODEL', "model name sent instead of the payload's"],
  ffmpegPath: [null, 'FFMPEG_PATH', 'ffmpeg binary (default: ffmpeg on PATH)'],
} as const satisfies Record<
  keyof AgentConfig,
  readonly [flag: string | null, variable: string | null, help: string]
>;

type Field = keyof typeof CONFIG_SOURCES;

/** A configuration that cannot start the agent; the message lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const USAGE = `Usage: aitbc-miner [options]   (flags win over environment variables)

${Object.values(CONFIG_SOURCES)
  .map(([flag, env, help]) => `  ${(flag ?? '').padEnd(15)}${(env ?? '').padEnd(25)}${help}`)
  .join('\n')}
  --help         show this text`;

const FLAG_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  'key-id': { type: 'string' },
  concurrency: { type: 'string' },
  region: { type: 'string' },
  gpus: { type: 'string' },
  cuda: { type: 'string' },
  services: { type: 'string' },
  once: { type: 'string' },
  json: { type: 'boolean' },
  'poll-wait': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** `--help` was asked for: the caller prints USAGE instead of starting. */
export const HELP = Symbol('help');

/**
 * The configuration from command-line flags and environment variables (a flag wins). Empty
 * variables count as unset, as `docker run -e X=` leaves them. Throws ConfigError.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): AgentConfig | typeof HELP {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({ args: [...argv], options: FLAG_OPTIONS, strict: true }).values;
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (flags.help) return HELP;
  const raw: Record<string, unknown> = {};
  for (const [field, [flag, variable]] of Object.entries(CONFIG_SOURCES)) {
    const fromFlag = flag ? flags[flag.slice(2)] : undefined;
    const fromEnv = variable ? env[variable]?.trim() || undefined : undefined;
    const value = fromFlag ?? fromEnv;
    if (value !== undefined) raw[field] = value;
  }
  return validateConfig(raw);
}

/** Parses a configuration given in code (startAgent) or gathered by parseConfig. */
export function validateConfig(input: unknown): AgentConfig {
  const parsed = AgentConfig.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '') as Field;
    const where =
      CONFIG_SOURCES[field]?.slice(0, 2).filter(Boolean).join(' / ') ?? (field || 'config');
    const given = typeof input === 'object' && input !== null && field in input;
    const missing = issue.code === 'invalid_type' && !given;
    return `  ${where}: ${missing ? 'required' : issue.message}`;
  });
  throw new ConfigError(`invalid miner configuration:\n${lines.join('\n')}`);
}
