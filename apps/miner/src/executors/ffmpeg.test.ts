import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  watch,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobError } from '@aitbc/miner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileServer, serveFiles } from '../testing/file-server.js';
import { makeRunningJob } from '../testing/running-job.js';
import { createFfmpegExecutor, detectFfmpeg, ffprobeBeside } from './ffmpeg.js';

const FFMPEG = await detectFfmpeg();
if (!FFMPEG) {
  console.warn(
    'ffmpeg is not on PATH: the real transcoding tests are skipped (apt-get install -y ffmpeg)',
  );
}

describe('detectFfmpeg', () => {
  it('is null for a binary that does not exist', async () => {
    expect(await detectFfmpeg('/nonexistent/ffmpeg')).toBeNull();
  });

  it('reads the version from the first line', async () => {
    const banner = 'ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers\n';
    expect(await detectFfmpeg('ffmpeg', async () => banner)).toBe('5.1.6-0+deb12u1');
  });

  it('finds ffprobe beside ffmpeg', () => {
    expect(ffprobeBeside('ffmpeg')).toBe('ffprobe');
    expect(ffprobeBeside('/opt/ff/bin/ffmpeg')).toBe('/opt/ff/bin/ffprobe');
  });
});

describe.skipIf(!FFMPEG)('ffmpeg executor (real ffmpeg; skipped when ffmpeg is absent)', () => {
  let dir: string;
  let resultsDir: string;
  let files: FileServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aitbc-ffmpeg-test-'));
    resultsDir = join(dir, 'results');
    mkdirSync(resultsDir);
    const testsrc = (seconds: number, file: string) =>
      execFileSync('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
        ...['-i', `testsrc=duration=${seconds}:size=160x120:rate=10`],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(dir, file)],
      ]);
    testsrc(1, 'short.mp4');
    testsrc(30, 'long.mp4');
    files = await serveFiles(dir);
  });
  afterAll(async () => {
    await files?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const transcode = (payload: Record<string, unknown>, signal?: AbortSignal) =>
    createFfmpegExecutor({ resultsDir })(
      makeRunningJob({ service: 'video_transcoding', payload, ...(signal ? { signal } : {}) }),
    );

  const probe = (file: string) =>
    execFileSync('ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', file],
    ])
      .toString()
      .trim();

  it('transcodes an http input into the results directory, with its hash, size and duration', async () => {
    const out = await transcode({
      input_url: `${files.baseUrl}/short.mp4`,
      preset: 'ultrafast',
      resolution: '80x60',
    });
    const video = (out.result as { video: Record<string, string | number> }).video;
    const file = fileURLToPath(video.url as string);
    expect(file.startsWith(resultsDir)).toBe(true);
    const bytes = readFileSync(file);
    expect(video).toMatchObject({ content_type: 'video/mp4', size_bytes: bytes.length });
    expect(video.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((out.result as { duration_seconds: number }).duration_seconds).toBeCloseTo(1, 1);
    expect(probe(file)).toBe('h264,80,60');
    expect(out.metrics).toMatchObject({ unit_type: 'video_minutes', output_bytes: bytes.length });
    expect(out.metrics?.units).toBeCloseTo(1 / 60, 2);
  });

  it('encodes vp9 into webm', async () => {
    const out = await transcode({
      input_url: `${files.baseUrl}/short.mp4`,
      codec: 'vp9',
      output_format: 'webm',
      audio_codec: 'opus',
      preset: 'ultrafast',
    });
    const video = (out.result as { video: { url: string; content_type: string } }).video;
    expect(video.content_type).toBe('video/webm');
    expect(probe(fileURLToPath(video.url))).toBe('vp9,160,120');
  });

  it("fails with ffmpeg's last stderr line when ffmpeg refuses the job", async () => {
    const err = (await transcode({
      input_url: `${files.baseUrl}/short.mp4`,
      output_format: 'webm', // WebM cannot hold H.264
    }).catch((e: unknown) => e)) as JobError;
    expect(err).toMatchObject({ code: 'FFMPEG_FAILED', retryable: false });
    expect(err.message).toMatch(/ffmpeg exited with code \d+: .*WebM/);
    expect(readdirSync(resultsDir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('fails for good on an input that answers 404, and retryably on a 503', async () => {
    const missing = await transcode({ input_url: `${files.baseUrl}/nope.mp4` }).catch((e) => e);
    expect(missing).toMatchObject({ code: 'INPUT_UNAVAILABLE', retryable: false });
    expect(missing.message).toContain('404');
    const down = await transcode({ input_url: `${files.baseUrl}/status/503` }).catch((e) => e);
    expect(down).toMatchObject({ code: 'INPUT_UNAVAILABLE', retryable: true });
  });

  it('kills ffmpeg when the job is aborted and leaves no partial output', async () => {
    const controller = new AbortController();
    const started = partialFileAppears(resultsDir);
    const run = transcode(
      // Upscaling 30 s to 4K with the slowest preset takes minutes on any machine.
      { input_url: `${files.baseUrl}/long.mp4`, resolution: '3840x2160', preset: 'veryslow' },
      controller.signal,
    );
    const partial = await started;
    controller.abort(new Error('job canceled'));
    await expect(run).rejects.toMatchObject({ code: 'ABORTED', retryable: true });
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(partial.replace(/\.part$/, ''))).toBe(false);
  });

  it('refuses a payload that is not a registry transcoding request', async () => {
    await expect(transcode({ input_url: '/etc/passwd' })).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
    });
  });
});

/** Resolves with the path of the next `.part` file ffmpeg creates in `dir` (it is running then). */
function partialFileAppears(dir: string): Promise<string> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, name) => {
      if (name?.endsWith('.part')) {
        watcher.close();
        resolve(join(dir, name));
      }
    });
  });
}
