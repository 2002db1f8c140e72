import { z } from 'zod';
import { Artifact, httpUrl } from '../fields.js';
import { clampTimeout, need, priced, tier } from '../helpers.js';
import {
  BLENDER_TIER,
  BlenderRenderRequest,
  blenderConstraints,
  blenderPrice,
  blenderTimeout,
  FFMPEG_PRICING,
  FfmpegTranscodeRequest,
  ffmpegConstraints,
} from '../typed-requests.js';
import { defineService } from '../types.js';

export const videoTranscoding = defineService({
  id: 'video_transcoding',
  name: 'Video transcoding',
  category: 'media_processing',
  description: 'Convert videos between containers and codecs (H.264, H.265, VP9, AV1) with FFmpeg.',
  version: '1.0.0',
  tags: ['ffmpeg', 'video', 'transcoding', 'nvenc', 'h264', 'h265', 'av1'],
  input: FfmpegTranscodeRequest,
  output: z.object({ video: Artifact, duration_seconds: z.number().nonnegative() }),
  example: { input_url: 'https://example.com/raw.mov' },
  requirements: [need.gpu('any'), need.vram(2), need.ram(8), need.storage(50)],
  pricing: FFMPEG_PRICING,
  timeout_seconds: 3600,
  max_concurrent: 4,
  constraintsFor: ffmpegConstraints,
  estimatePrice: () => null, // billed per minute or GB of input, unknown before the download
});

const RENDITIONS = ['240p', '360p', '480p', '720p', '1080p', '1440p', '2160p'] as const;
const STREAM_TIER = tier('per_minute', 0.01, { unit: 'rendition minute' });

export const videoStreaming = defineService({
  id: 'video_streaming',
  name: 'Video streaming',
  category: 'media_processing',
  description: 'Package a live or recorded source as adaptive HLS or DASH with several renditions.',
  version: '1.0.0',
  tags: ['streaming', 'hls', 'dash', 'abr', 'video', 'live'],
  input: z.strictObject({
    source_url: httpUrl.describe('an HTTP(S) video or HLS source'),
    protocol: z.enum(['hls', 'dash']).default('hls'),
    renditions: z
      .array(z.enum(RENDITIONS))
      .min(1)
      .max(RENDITIONS.length)
      .default(['360p', '720p', '1080p']),
    codec: z.enum(['h264', 'h265', 'av1']).default('h264'),
    segment_seconds: z.number().int().min(1).max(30).default(6),
    low_latency: z.boolean().default(false),
    duration_minutes: z.number().int().min(1).max(1440).default(60),
  }),
  output: z.object({ playlist_url: httpUrl, renditions: z.array(z.enum(RENDITIONS)) }),
  example: { source_url: 'https://example.com/live/master.m3u8' },
  requirements: [
    need.gpu('nvidia'),
    need.vram(4, { recommended: 8 }),
    need.network(100, { recommended: 1000 }),
  ],
  pricing: [STREAM_TIER],
  timeout_seconds: 3900,
  max_concurrent: 2,
  timeoutFor: (r) => clampTimeout(r.duration_minutes * 60 + 300),
  estimatePrice: (r) => priced(r.duration_minutes * r.renditions.length, STREAM_TIER),
});

export const rendering3d = defineService({
  id: '3d_rendering',
  name: '3D rendering',
  category: 'media_processing',
  description: 'Render stills and animations from Blender scenes with Cycles or Eevee.',
  version: '1.0.0',
  tags: ['blender', 'cycles', 'eevee', 'rendering', '3d', 'animation'],
  input: BlenderRenderRequest,
  output: z.object({ frames: z.array(Artifact), frame_count: z.number().int() }),
  example: { blend_file_url: 'https://example.com/scene.blend' },
  requirements: [
    need.gpu('any', 'nvidia'),
    need.vram(4, { recommended: 12 }),
    need.ram(16),
    need.storage(20),
  ],
  pricing: [BLENDER_TIER],
  timeout_seconds: 3600,
  max_concurrent: 2,
  constraintsFor: blenderConstraints,
  timeoutFor: blenderTimeout,
  estimatePrice: blenderPrice,
});

const IMAGE_TIER = tier('per_image', 0.003);

export const imageProcessing = defineService({
  id: 'image_processing',
  name: 'Image processing',
  category: 'media_processing',
  description: 'Upscale, denoise, remove backgrounds, colorize, restore faces or resize images.',
  version: '1.0.0',
  tags: ['image', 'upscaling', 'esrgan', 'background-removal', 'restoration'],
  input: z
    .strictObject({
      image_urls: z.array(httpUrl).min(1).max(100),
      operation: z
        .enum([
          'upscale',
          'denoise',
          'background_removal',
          'colorize',
          'face_restoration',
          'resize',
        ])
        .default('upscale'),
      scale: z.literal([2, 4]).default(2).describe('upscale factor'),
      target_width: z.number().int().min(1).max(16384).nullable().default(null),
      target_height: z.number().int().min(1).max(16384).nullable().default(null),
      output_format: z.enum(['png', 'jpg', 'webp']).default('png'),
      quality: z.number().int().min(1).max(100).default(90),
    })
    .refine(
      (r) => r.operation !== 'resize' || r.target_width !== null || r.target_height !== null,
      {
        path: ['target_width'],
        message: 'resize needs target_width or target_height',
      },
    ),
  output: z.object({ images: z.array(Artifact) }),
  example: { image_urls: ['https://example.com/photo.jpg'] },
  requirements: [need.gpu('any'), need.vram(4, { recommended: 8 })],
  pricing: [IMAGE_TIER],
  timeout_seconds: 600,
  max_concurrent: 4,
  estimatePrice: (r) => priced(r.image_urls.length, IMAGE_TIER),
});

export const audioProcessing = defineService({
  id: 'audio_processing',
  name: 'Audio processing',
  category: 'media_processing',
  description: 'Noise reduction, stem separation, loudness normalization and speech enhancement.',
  version: '1.0.0',
  tags: ['audio', 'demucs', 'stems', 'denoise', 'loudness', 'music'],
  input: z.strictObject({
    audio_url: httpUrl,
    operation: z
      .enum([
        'noise_reduction',
        'stem_separation',
        'loudness_normalization',
        'speech_enhancement',
        'format_conversion',
      ])
      .default('noise_reduction'),
    stems: z.literal([2, 4, 6]).default(4).describe('for stem_separation'),
    target_lufs: z.number().min(-70).max(-5).default(-14).describe('for loudness_normalization'),
    output_format: z.enum(['wav', 'mp3', 'flac', 'ogg']).default('wav'),
    sample_rate: z.literal([16000, 22050, 44100, 48000]).nullable().default(null),
  }),
  output: z.object({ tracks: z.array(z.object({ name: z.string(), audio: Artifact })) }),
  example: { audio_url: 'https://example.com/podcast.wav' },
  requirements: [need.gpu('any'), need.vram(2, { recommended: 6 })],
  pricing: [tier('per_minute', 0.002, { unit: 'audio minute' })],
  timeout_seconds: 1800,
  max_concurrent: 4,
  estimatePrice: () => null, // billed per audio minute, unknown before the download
});

export const MEDIA_SERVICES = [
  videoTranscoding,
  videoStreaming,
  rendering3d,
  imageProcessing,
  audioProcessing,
];
