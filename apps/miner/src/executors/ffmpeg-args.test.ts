import { FfmpegTranscodeRequest } from '@aitbc/registry';
import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, lastStderrLines, parseProgressSeconds } from './ffmpeg-args.js';

const request = (fields: Record<string, unknown> = {}) =>
  FfmpegTranscodeRequest.parse({ input_url: 'https://example.com/in.mov', ...fields });

/** The value after `flag` in an argument list. */
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('buildFfmpegArgs', () => {
  it('maps the registry defaults to x264 with constant quality into mp4', () => {
    const args = buildFfmpegArgs(request(), '/in', '/out');
    expect(after(args, '-i')).toBe('/in');
    expect(after(args, '-c:v')).toBe('libx264');
    expect(after(args, '-preset')).toBe('medium');
    expect(after(args, '-crf')).toBe('23');
    expect(after(args, '-c:a')).toBe('aac');
    expect(after(args, '-b:a')).toBe('128k');
    expect(args.slice(-3)).toEqual(['-f', 'mp4', '/out']);
    expect(args).not.toContain('-vf');
    expect(args).not.toContain('-r');
    expect(args).not.toContain('-b:v');
  });

  it('uses a requested bitrate instead of crf, and scales and resamples', () => {
    const args = buildFfmpegArgs(
      request({ bitrate: '5000k', resolution: '1280x720', fps: 30 }),
      '/in',
      '/out',
    );
    expect(after(args, '-b:v')).toBe('5000k');
    expect(args).not.toContain('-crf');
    expect(after(args, '-vf')).toBe('scale=1280:720');
    expect(after(args, '-r')).toBe('30');
  });

  it('gives vp9 pure constant quality and a numeric speed', () => {
    const args = buildFfmpegArgs(
      request({ codec: 'vp9', output_format: 'webm', preset: 'ultrafast', audio_codec: 'opus' }),
      '/in',
      '/out',
    );
    expect(after(args, '-c:v')).toBe('libvpx-vp9');
    expect(after(args, '-cpu-used')).toBe('8');
    expect(after(args, '-crf')).toBe('23');
    expect(after(args, '-b:v')).toBe('0');
    expect(after(args, '-c:a')).toBe('libopus');
    expect(after(args, '-f')).toBe('webm');
  });

  it('gives SVT-AV1 a numeric preset and writes mkv with the matroska muxer', () => {
    const args = buildFfmpegArgs(
      request({ codec: 'av1', output_format: 'mkv', preset: 'veryslow' }),
      '/in',
      '/out',
    );
    expect(after(args, '-c:v')).toBe('libsvtav1');
    expect(after(args, '-preset')).toBe('4');
    expect(after(args, '-f')).toBe('matroska');
  });

  it('sets no audio bitrate for copied or lossless audio', () => {
    for (const audio_codec of ['copy', 'flac']) {
      const args = buildFfmpegArgs(request({ audio_codec }), '/in', '/out');
      expect(after(args, '-c:a')).toBe(audio_codec);
      expect(args).not.toContain('-b:a');
    }
  });
});

describe('parseProgressSeconds', () => {
  it('reads the last out_time_us of -progress output', () => {
    const progress =
      'frame=5\nout_time_us=400000\nprogress=continue\nout_time_us=900098\nprogress=end\n';
    expect(parseProgressSeconds(progress)).toBeCloseTo(0.900098);
    expect(parseProgressSeconds('out_time_us=N/A\n')).toBeNull();
  });
});

describe('lastStderrLines', () => {
  it('keeps the last non-empty lines, the last one last', () => {
    const stderr =
      'a\n\n[webm] Only VP8 or VP9 ...\nCould not write header\nError initializing\n\n';
    expect(lastStderrLines(stderr)).toBe(
      '[webm] Only VP8 or VP9 ... | Could not write header | Error initializing',
    );
    expect(lastStderrLines('')).toBe('(no error output)');
  });
});
