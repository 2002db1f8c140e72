import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config.js';
import { echoExecutor } from './echo.js';
import { selectExecutors, UnavailableExecutorError } from './index.js';

const found = async () => '5.1.6';
const missing = async () => null;
const config = (fields: Record<string, unknown> = {}) => validateConfig({ apiKey: 'k', ...fields });

describe('selectExecutors', () => {
  it('offers every executor the machine can run', async () => {
    const all = await selectExecutors(config({ llmBaseUrl: 'http://127.0.0.1:11434' }), found);
    expect(all.offered).toEqual(['echo', 'video_transcoding', 'llm_inference']);
    expect(Object.keys(all.executors)).toEqual(['*', 'video_transcoding', 'llm_inference']);
    expect(all.executors['*']).toBe(echoExecutor);
    expect(all.ffmpegVersion).toBe('5.1.6');
  });

  it('leaves out ffmpeg when it does not run and the LLM without a URL, saying why', async () => {
    const some = await selectExecutors(config(), missing);
    expect(some.offered).toEqual(['echo']);
    expect(some.unavailable).toEqual([
      { name: 'video_transcoding', reason: expect.stringContaining('FFMPEG_PATH') },
      { name: 'llm_inference', reason: 'LLM_BASE_URL is not set' },
    ]);
  });

  it('offers only the --services subset', async () => {
    const only = await selectExecutors(config({ services: 'video_transcoding' }), found);
    expect(Object.keys(only.executors)).toEqual(['video_transcoding']);
  });

  it('refuses to start when a requested executor cannot run here', async () => {
    await expect(
      selectExecutors(config({ services: 'echo,video_transcoding' }), missing),
    ).rejects.toThrow(UnavailableExecutorError);
  });
});
