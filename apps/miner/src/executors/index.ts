import type { Executor } from '@aitbc/miner';
import type { AgentConfig, ExecutorName } from '../config.js';
import { echoExecutor } from './echo.js';
import { createFfmpegExecutor, detectFfmpeg } from './ffmpeg.js';
import { createLlmExecutor } from './llm.js';

export { abortableDelay, abortedError } from './abort.js';
export { echoExecutor } from './echo.js';
export { createFfmpegExecutor, detectFfmpeg, type FfmpegExecutorOptions } from './ffmpeg.js';
export { createLlmExecutor, type LlmExecutorOptions } from './llm.js';

/** Runtime key of each executor: echo takes the jobs without a service. */
const EXECUTOR_KEYS = {
  echo: '*',
  video_transcoding: 'video_transcoding',
  llm_inference: 'llm_inference',
} as const satisfies Record<ExecutorName, string>;

export interface ExecutorSelection {
  /** For `createMiner`: keyed by registry service id, `'*'` for jobs without one. */
  executors: Record<string, Executor>;
  offered: ExecutorName[];
  /** Executors this machine cannot run, and why (logged at start). */
  unavailable: { name: ExecutorName; reason: string }[];
  ffmpegVersion: string | null;
}

/** Thrown when `--services` names an executor this machine cannot run. */
export class UnavailableExecutorError extends Error {
  override readonly name = 'UnavailableExecutorError';
}

/**
 * The executors this agent offers: every one the machine can run, or the `services` subset.
 * FFmpeg is offered only when the binary answers; the LLM executor only with LLM_BASE_URL.
 */
export async function selectExecutors(
  config: AgentConfig,
  detect: typeof detectFfmpeg = detectFfmpeg,
): Promise<ExecutorSelection> {
  const wanted = config.services ?? (Object.keys(EXECUTOR_KEYS) as ExecutorName[]);
  const ffmpegVersion = wanted.includes('video_transcoding')
    ? await detect(config.ffmpegPath)
    : null;
  const build: Record<ExecutorName, () => Executor | string> = {
    echo: () => echoExecutor,
    video_transcoding: () =>
      ffmpegVersion
        ? createFfmpegExecutor({
            ffmpegPath: config.ffmpegPath,
            resultsDir: config.resultsDir,
            resultsBaseUrl: config.resultsBaseUrl,
          })
        : `${config.ffmpegPath} does not run (install ffmpeg or set FFMPEG_PATH)`,
    llm_inference: () =>
      config.llmBaseUrl
        ? createLlmExecutor({
            baseUrl: config.llmBaseUrl,
            apiKey: config.llmApiKey,
            model: config.llmModel,
          })
        : 'LLM_BASE_URL is not set',
  };
  const selection: ExecutorSelection = {
    executors: {},
    offered: [],
    unavailable: [],
    ffmpegVersion,
  };
  for (const name of wanted) {
    const built = build[name]();
    if (typeof built === 'string') selection.unavailable.push({ name, reason: built });
    else {
      selection.executors[EXECUTOR_KEYS[name]] = built;
      selection.offered.push(name);
    }
  }
  const refused = config.services ? selection.unavailable : [];
  if (refused.length > 0 || selection.offered.length === 0) {
    const why = selection.unavailable.map((u) => `${u.name}: ${u.reason}`).join('; ');
    throw new UnavailableExecutorError(`cannot offer the requested executors: ${why}`);
  }
  return selection;
}
