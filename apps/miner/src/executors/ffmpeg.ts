import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Executor, RunningJob } from '@aitbc/miner';
import { JobError } from '@aitbc/miner';
import { type FfmpegTranscodeRequest, FfmpegTranscodeRequest as Schema } from '@aitbc/registry';
import { type CommandRunner, runCommand } from '../probe.js';
import { abortedError } from './abort.js';
import { downloadTo, hashFile } from './download.js';
import {
  buildFfmpegArgs,
  CONTENT_TYPES,
  lastStderrLines,
  parseProgressSeconds,
} from './ffmpeg-args.js';
import { parsePayload } from './payload.js';

export interface FfmpegExecutorOptions {
  /** The ffmpeg binary, `ffmpeg` (found on PATH) by default. */
  ffmpegPath?: string;
  /** Where finished videos are kept, one file per job attempt. */
  resultsDir: string;
  /** Where `resultsDir` is served over HTTP, if it is; results then carry that URL. */
  resultsBaseUrl?: string | undefined;
  maxInputBytes?: number;
  fetch?: typeof fetch;
}

const DEFAULT_MAX_INPUT_BYTES = 10 * 1024 ** 3;
/** Enough of stderr to explain a failure; ffmpeg can print a lot before it gives up. */
const STDERR_TAIL_CHARS = 16_384;

/** The version ffmpeg reports (`5.1.6-0+deb12u1`), or null when it cannot run. */
export async function detectFfmpeg(
  ffmpegPath = 'ffmpeg',
  run: CommandRunner = runCommand,
): Promise<string | null> {
  try {
    const out = await run(ffmpegPath, ['-hide_banner', '-version']);
    return /version (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return null;
  }
}

/** `ffprobe` beside the configured ffmpeg (same directory, same naming). */
export function ffprobeBeside(ffmpegPath: string): string {
  const name = basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe');
  return ffmpegPath.includes('/') ? join(dirname(ffmpegPath), name) : name;
}

/** Transcodes `video_transcoding` jobs with a local ffmpeg; see buildFfmpegArgs for the mapping. */
export function createFfmpegExecutor(options: FfmpegExecutorOptions): Executor {
  const ffmpeg = options.ffmpegPath ?? 'ffmpeg';
  return async (job) => {
    const request = parsePayload(Schema, job.payload);
    await mkdir(options.resultsDir, { recursive: true });
    const workDir = await mkdtemp(join(tmpdir(), 'aitbc-ffmpeg-'));
    const name = `${job.jobId}-${job.attempt}.${request.output_format}`;
    const output = join(options.resultsDir, name);
    const partial = `${output}.part`;
    try {
      const input = join(workDir, 'input');
      const inputBytes = await downloadTo(request.input_url, input, {
        signal: job.signal,
        maxBytes: options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      // The input's length turns ffmpeg's encoded seconds into a percentage (none if unknown).
      const inputSeconds = await probeDuration(ffprobeBeside(ffmpeg), input);
      const args = buildFfmpegArgs(request, input, partial);
      const progress = await runFfmpeg(ffmpeg, args, job, inputSeconds);
      await rename(partial, output);
      const duration = (await probeDuration(ffprobeBeside(ffmpeg), output)) ?? progress ?? 0;
      return await describeOutput(request, output, name, duration, inputBytes, options);
    } finally {
      await rm(partial, { force: true });
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

async function describeOutput(
  request: FfmpegTranscodeRequest,
  output: string,
  name: string,
  durationSeconds: number,
  inputBytes: number,
  options: FfmpegExecutorOptions,
) {
  const { sha256, size } = await hashFile(output);
  const url = options.resultsBaseUrl
    ? new URL(encodeURIComponent(name), `${options.resultsBaseUrl.replace(/\/*$/, '')}/`).href
    : pathToFileURL(output).href;
  return {
    result: {
      video: { url, content_type: CONTENT_TYPES[request.output_format], size_bytes: size, sha256 },
      duration_seconds: durationSeconds,
    },
    // The registry prices transcoding per video minute.
    metrics: {
      units: Math.round((durationSeconds / 60) * 1e6) / 1e6,
      unit_type: 'video_minutes',
      input_bytes: inputBytes,
      output_bytes: size,
    },
  };
}

/** Runs ffmpeg until it exits; resolves with the encoded seconds its progress reported. */
function runFfmpeg(
  ffmpeg: string,
  args: string[],
  job: RunningJob,
  inputSeconds: number | null,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: job.signal,
      killSignal: 'SIGKILL',
    });
    let progress = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      progress = (progress + s).slice(-STDERR_TAIL_CHARS);
      const encoded = inputSeconds ? parseProgressSeconds(progress) : null;
      // Below 100 until ffmpeg exits; the SDK throttles the reports, the latest one wins.
      if (encoded !== null && inputSeconds)
        void job.progress(Math.min(99, (encoded / inputSeconds) * 100)).catch(() => {});
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_TAIL_CHARS);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      // A started ffmpeg (killed on abort) is waited for in 'close': its partial output must
      // not be written to after the executor has removed it.
      if (child.pid !== undefined) return;
      if (job.signal.aborted) return reject(abortedError(job.signal));
      // Missing since start-up: another miner with a working ffmpeg may take it.
      reject(
        new JobError('FFMPEG_UNAVAILABLE', `cannot run ${ffmpeg}: ${err.message}`, {
          retryable: true,
        }),
      );
    });
    child.once('close', (code) => {
      if (job.signal.aborted) return reject(abortedError(job.signal));
      if (code === 0) return resolve(parseProgressSeconds(progress));
      reject(
        new JobError(
          'FFMPEG_FAILED',
          `ffmpeg exited with code ${code}: ${lastStderrLines(stderr)}`,
        ),
      );
    });
  });
}

/**
 * The container's duration. ffmpeg's own progress stops at the last frame's start (0.9 s for
 * ten frames at 10 fps), so ffprobe is asked first; null when ffprobe is not there.
 */
async function probeDuration(ffprobe: string, file: string): Promise<number | null> {
  const args = ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file];
  const seconds = Number.parseFloat(await runCommand(ffprobe, args).catch(() => ''));
  return Number.isFinite(seconds) ? seconds : null;
}
