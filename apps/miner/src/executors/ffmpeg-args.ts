import { FFMPEG_PRESETS, type FfmpegTranscodeRequest } from '@aitbc/registry';

type Codec = FfmpegTranscodeRequest['codec'];
type Preset = FfmpegTranscodeRequest['preset'];

/** Software encoders every common FFmpeg build has (Debian, Homebrew, the static builds). */
export const VIDEO_ENCODERS = {
  h264: 'libx264',
  h265: 'libx265',
  vp9: 'libvpx-vp9',
  av1: 'libsvtav1',
} as const satisfies Record<Codec, string>;

export const AUDIO_ENCODERS = {
  aac: 'aac',
  mp3: 'libmp3lame',
  opus: 'libopus',
  vorbis: 'libvorbis',
  flac: 'flac',
  ac3: 'ac3',
  copy: 'copy',
} as const satisfies Record<FfmpegTranscodeRequest['audio_codec'], string>;

export const CONTENT_TYPES = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  avi: 'video/x-msvideo',
} as const satisfies Record<FfmpegTranscodeRequest['output_format'], string>;

// From fastest to slowest, as the registry lists them.
const PRESETS: readonly Preset[] = FFMPEG_PRESETS;

/**
 * x264/x265 take the preset name itself; libvpx-vp9 (`-cpu-used` 0–8) and SVT-AV1 (`-preset`
 * 0–13) take a number where higher is faster, so the nine names are spread over those ranges.
 */
function speedArgs(codec: Codec, preset: Preset): string[] {
  const slowness = PRESETS.indexOf(preset); // 0 = ultrafast … 8 = veryslow
  switch (codec) {
    case 'h264':
    case 'h265':
      return ['-preset', preset];
    case 'vp9':
      return ['-deadline', 'good', '-cpu-used', String(8 - slowness)];
    case 'av1':
      return ['-preset', String(12 - slowness)];
  }
}

/** Constant quality by default; a requested bitrate replaces it (average-bitrate mode). */
function rateArgs(codec: Codec, r: FfmpegTranscodeRequest): string[] {
  if (r.bitrate !== null) return ['-b:v', r.bitrate];
  // libvpx-vp9 needs `-b:v 0` for pure constant quality, otherwise crf is only a cap.
  return codec === 'vp9' ? ['-crf', String(r.crf), '-b:v', '0'] : ['-crf', String(r.crf)];
}

function audioArgs(r: FfmpegTranscodeRequest): string[] {
  const encoder = AUDIO_ENCODERS[r.audio_codec];
  // Copied and lossless audio have no bitrate to set.
  if (encoder === 'copy' || encoder === 'flac') return ['-c:a', encoder];
  return ['-c:a', encoder, '-b:a', r.audio_bitrate];
}

/**
 * The ffmpeg command line for one request. Only errors reach stderr (its last line explains a
 * failure); progress goes to stdout as key=value lines.
 */
export function buildFfmpegArgs(
  r: FfmpegTranscodeRequest,
  input: string,
  output: string,
): string[] {
  const [width, height] = r.resolution?.split('x') ?? [];
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-y'],
    ...['-i', input],
    ...['-c:v', VIDEO_ENCODERS[r.codec], ...speedArgs(r.codec, r.preset), ...rateArgs(r.codec, r)],
    // 4:2:0 so that every player can show it (test patterns and screen captures are 4:4:4).
    ...['-pix_fmt', 'yuv420p'],
    ...(width && height ? ['-vf', `scale=${width}:${height}`] : []),
    ...(r.fps !== null ? ['-r', String(r.fps)] : []),
    ...audioArgs(r),
    ...['-f', muxer(r.output_format), output],
  ];
}

/** FFmpeg's muxer names differ from the file extensions for two formats. */
function muxer(format: FfmpegTranscodeRequest['output_format']): string {
  return format === 'mkv' ? 'matroska' : format === 'mov' ? 'mov' : format;
}

/** The last `out_time_us` of `-progress` output in seconds, or null before the first frame. */
export function parseProgressSeconds(progress: string): number | null {
  const all = [...progress.matchAll(/^out_time_us=(\d+)$/gm)];
  const last = all.at(-1)?.[1];
  return last === undefined ? null : Number(last) / 1e6;
}

/** The last `maxLines` non-empty lines of stderr, joined, for an error message. */
export function lastStderrLines(stderr: string, maxLines = 3): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-maxLines).join(' | ') || '(no error output)';
}
