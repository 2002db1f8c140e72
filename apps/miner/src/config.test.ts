import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, HELP, parseConfig, USAGE, validateConfig } from './config.js';

const KEY = { MINER_API_KEY: 'mk_test' };

/** The ConfigError message parseConfig throws for these inputs. */
function errorOf(argv: string[], env: Record<string, string>): string {
  try {
    parseConfig(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('parseConfig accepted the input');
}

describe('parseConfig', () => {
  it('needs only a key and fills in the defaults', () => {
    expect(parseConfig([], KEY)).toEqual({
      url: 'http://127.0.0.1:8011',
      apiKey: 'mk_test',
      concurrency: 1,
      json: false,
      resultsDir: resolve('.data/miner-results'),
      ffmpegPath: 'ffmpeg',
    });
  });

  it('reads every setting from the environment', () => {
    const config = parseConfig([], {
      COORDINATOR_URL: 'https://coord.example.com',
      MINER_API_KEY: 'mk_env',
      MINER_KEY_ID: 'rig-1',
      MINER_CONCURRENCY: '4',
      MINER_REGION: 'eu-west',
      MINER_GPUS: 'NVIDIA RTX 4090:24, NVIDIA A100 80GB:80',
      MINER_CUDA: '12.4',
      MINER_SERVICES: 'echo, llm_inference',
      RESULTS_DIR: '/var/lib/aitbc/results',
      RESULTS_BASE_URL: 'https://files.example.com/results',
      LLM_BASE_URL: 'http://127.0.0.1:11434',
      LLM_API_KEY: 'sk-local',
      LLM_MODEL: 'llama3.2:1b',
      FFMPEG_PATH: '/opt/ffmpeg/bin/ffmpeg',
      MINER_POLL_WAIT_SECONDS: '5',
    });
    expect(config).toEqual({
      url: 'https://coord.example.com',
      apiKey: 'mk_env',
      keyId: 'rig-1',
      concurrency: 4,
      region: 'eu-west',
      gpus: [
        { model: 'NVIDIA RTX 4090', vram_gb: 24 },
        { model: 'NVIDIA A100 80GB', vram_gb: 80 },
      ],
      cuda: '12.4',
      services: ['echo', 'llm_inference'],
      json: false,
      resultsDir: '/var/lib/aitbc/results',
      resultsBaseUrl: 'https://files.example.com/results',
      llmBaseUrl: 'http://127.0.0.1:11434',
      llmApiKey: 'sk-local',
      llmModel: 'llama3.2:1b',
      ffmpegPath: '/opt/ffmpeg/bin/ffmpeg',
      pollWaitSeconds: 5,
    });
  });

  it('lets flags win over the environment', () => {
    const config = parseConfig(
      ['--url', 'http://10.0.0.2:8011', '--key=mk_flag', '--concurrency', '2', '--once', '3'],
      { ...KEY, COORDINATOR_URL: 'http://ignored:1', MINER_CONCURRENCY: '8' },
    );
    expect(config).toMatchObject({
      url: 'http://10.0.0.2:8011',
      apiKey: 'mk_flag',
      concurrency: 2,
      once: 3,
    });
    expect(parseConfig(['--json', '--services', 'echo'], KEY)).toMatchObject({
      json: true,
      services: ['echo'],
    });
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig([], { ...KEY, COORDINATOR_URL: '', MINER_REGION: ' ' })).toMatchObject({
      url: 'http://127.0.0.1:8011',
    });
    expect(parseConfig([], { ...KEY, MINER_REGION: '' })).not.toHaveProperty('region');
  });

  it('names the flag and the variable of every problem at once', () => {
    const message = errorOf(['--concurrency', '0', '--url', 'ftp://x'], {
      MINER_SERVICES: 'echo,blender',
    });
    expect(message).toContain('--key / MINER_API_KEY: required');
    expect(message).toContain('--concurrency / MINER_CONCURRENCY:');
    expect(message).toContain('--url / COORDINATOR_URL: expected an http(s) URL');
    expect(message).toContain('--services / MINER_SERVICES:');
  });

  it('refuses declared GPUs without a VRAM size and a CUDA version that is not one', () => {
    const message = errorOf(['--gpus', 'RTX 4090', '--cuda', 'twelve'], KEY);
    expect(message).toMatch(/--gpus \/ MINER_GPUS/);
    expect(message).toMatch(/--cuda \/ MINER_CUDA/);
  });

  it('refuses llm_inference without LLM_BASE_URL', () => {
    expect(errorOf(['--services', 'llm_inference'], KEY)).toContain(
      'LLM_BASE_URL: llm_inference is in --services but LLM_BASE_URL is not set',
    );
  });

  it('refuses unknown flags with the usage text, and answers --help', () => {
    const message = errorOf(['--concurency', '2'], KEY);
    expect(message).toContain("Unknown option '--concurency'");
    expect(message).toContain(USAGE);
    expect(parseConfig(['--help'], {})).toBe(HELP);
  });
});

describe('validateConfig', () => {
  it('takes typed values from code and refuses unknown fields', () => {
    expect(validateConfig({ apiKey: 'k', concurrency: 3, services: ['echo'] })).toMatchObject({
      concurrency: 3,
      services: ['echo'],
    });
    expect(() => validateConfig({ apiKey: 'k', concurency: 3 })).toThrow(/concurency/);
  });
});
