import type { JobConstraints } from '@aitbc/contracts';
import { z } from 'zod';
import { httpUrl, Seed } from './fields.js';
import { clampTimeout, priced, tier } from './helpers.js';

/**
 * The five typed requests of the original coordinator (SERVICES.md), field for field, with two
 * deliberate changes: `custom_args` is refused (objects are strict) and URLs are http(s) only.
 */

const NVIDIA_CUDA = { gpu: 'nvidia', cuda: '11.8' } as const;

// ── whisper/transcribe → speech_recognition ───────────────────────────────────────────────────

export const WHISPER_MODELS = [
  'tiny',
  'base',
  'small',
  'medium',
  'large',
  'large-v2',
  'large-v3',
] as const;
export const WHISPER_LANGUAGES = [
  'auto',
  'en',
  'es',
  'fr',
  'de',
  'it',
  'pt',
  'ru',
  'ja',
  'ko',
  'zh',
] as const;

export const WhisperTranscribeRequest = z
  .strictObject({
    audio_url: httpUrl.describe('the audio file to transcribe'),
    model: z.enum(WHISPER_MODELS).default('base'),
    language: z.enum(WHISPER_LANGUAGES).default('auto'),
    task: z.enum(['transcribe', 'translate']).default('transcribe'),
    temperature: z.number().min(0).max(1).default(0),
    best_of: z.number().int().min(1).max(10).default(5),
    beam_size: z.number().int().min(1).max(10).default(5),
    patience: z.number().min(0).max(2).default(1),
    suppress_tokens: z.array(z.number().int()).max(1024).nullable().default(null),
    initial_prompt: z.string().max(4000).nullable().default(null),
    condition_on_previous_text: z.boolean().default(true),
    fp16: z.boolean().default(true),
    verbose: z.boolean().default(false),
  })
  .describe('Transcribe or translate speech with OpenAI Whisper');
export type WhisperTranscribeRequest = z.output<typeof WhisperTranscribeRequest>;

export const WHISPER_VRAM_GB = {
  tiny: 1,
  base: 1,
  small: 2,
  medium: 5,
  large: 10,
  'large-v2': 10,
  'large-v3': 10,
} as const satisfies Record<(typeof WHISPER_MODELS)[number], number>;

export const whisperConstraints = (r: WhisperTranscribeRequest): JobConstraints => ({
  min_vram_gb: WHISPER_VRAM_GB[r.model],
});

export const WHISPER_PRICING = [tier('per_minute', 0.006, { unit: 'audio minute' })];

// ── stable-diffusion/generate → image_generation ──────────────────────────────────────────────

export const SD_MODELS = [
  'stable-diffusion-1.5',
  'stable-diffusion-2.1',
  'stable-diffusion-xl',
  'sdxl-turbo',
  'sdxl-refiner',
] as const;
export const SD_SIZES = [
  '512x512',
  '512x768',
  '768x512',
  '768x768',
  '768x1024',
  '1024x768',
  '1024x1024',
  '1024x1536',
  '1536x1024',
] as const;

export const StableDiffusionRequest = z
  .strictObject({
    prompt: z.string().min(1).max(1000),
    negative_prompt: z.string().max(1000).nullable().default(null),
    model: z.enum(SD_MODELS).default('stable-diffusion-1.5'),
    size: z.enum(SD_SIZES).default('512x512'),
    num_images: z.number().int().min(1).max(4).default(1),
    num_inference_steps: z.number().int().min(1).max(100).default(20),
    guidance_scale: z.number().min(1).max(20).default(7.5),
    seed: z
      .union([Seed, z.array(Seed).min(1).max(4)])
      .nullable()
      .default(null)
      .describe('one seed, or one per image'),
    scheduler: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a scheduler class name')
      .default('DPMSolverMultistepScheduler'),
    enable_safety_checker: z.boolean().default(true),
    lora: z
      .string()
      .regex(/^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/, 'a LoRA name such as "owner/name"')
      .nullable()
      .default(null),
    lora_scale: z.number().min(0).max(2).default(1),
  })
  .describe('Generate images with Stable Diffusion');
export type StableDiffusionRequest = z.output<typeof StableDiffusionRequest>;

const isXl = (model: StableDiffusionRequest['model']) => model.includes('xl');

export const stableDiffusionConstraints = (r: StableDiffusionRequest): JobConstraints => ({
  ...NVIDIA_CUDA,
  min_vram_gb: isXl(r.model) ? 8 : 4,
});

export const SD_TIER = tier('per_image', 0.01, { description: 'Stable Diffusion 1.5 and 2.1' });
export const SDXL_TIER = tier('per_image', 0.02, { description: 'SDXL, SDXL Turbo, SDXL Refiner' });

export const stableDiffusionPrice = (r: StableDiffusionRequest): number =>
  priced(r.num_images, isXl(r.model) ? SDXL_TIER : SD_TIER);

// ── llm/inference → llm_inference ─────────────────────────────────────────────────────────────

export const LLM_MODELS = [
  'llama-7b',
  'llama-13b',
  'llama-70b',
  'mistral-7b',
  'mixtral-8x7b',
  'codellama-7b',
  'codellama-13b',
  'codellama-34b',
] as const;

export const LlmInferenceRequest = z
  .strictObject({
    model: z.enum(LLM_MODELS),
    prompt: z.string().min(1).max(10000),
    max_tokens: z.number().int().min(1).max(4096).default(256),
    temperature: z.number().min(0).max(2).default(0.7),
    top_p: z.number().min(0).max(1).default(0.9),
    top_k: z.number().int().min(0).max(100).default(40),
    repetition_penalty: z.number().min(0).max(2).default(1.1),
    stop_sequences: z.array(z.string().min(1).max(200)).max(16).nullable().default(null),
    stream: z.boolean().default(false),
  })
  .describe('Run a large language model on a prompt');
export type LlmInferenceRequest = z.output<typeof LlmInferenceRequest>;

export const LLM_VRAM_GB = {
  'llama-7b': 8,
  'mistral-7b': 8,
  'codellama-7b': 8,
  'llama-13b': 16,
  'codellama-13b': 16,
  'codellama-34b': 32,
  'mixtral-8x7b': 48,
  'llama-70b': 64,
} as const satisfies Record<(typeof LLM_MODELS)[number], number>;

export const llmConstraints = (r: LlmInferenceRequest): JobConstraints => ({
  ...NVIDIA_CUDA,
  min_vram_gb: LLM_VRAM_GB[r.model],
});

export const LLM_TIER = tier('per_unit', 0.001, {
  min_charge: 0.01,
  unit: 'generated token',
  description: 'estimates assume all max_tokens are generated',
});

/** An upper bound: every requested token generated. */
export const llmPrice = (r: LlmInferenceRequest): number => priced(r.max_tokens, LLM_TIER);

// ── ffmpeg/transcode → video_transcoding ──────────────────────────────────────────────────────

export const FFMPEG_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
] as const;

const Bitrate = z.string().regex(/^\d+[kM]?$/, 'a bitrate such as 5000k or 8M');

export const FfmpegTranscodeRequest = z
  .strictObject({
    input_url: httpUrl.describe('the video to transcode'),
    output_format: z.enum(['mp4', 'webm', 'mkv', 'mov', 'avi']).default('mp4'),
    codec: z.enum(['h264', 'h265', 'vp9', 'av1']).default('h264'),
    preset: z.enum(FFMPEG_PRESETS).default('medium'),
    crf: z.number().int().min(0).max(51).default(23),
    resolution: z
      .string()
      .regex(/^\d+x\d+$/, 'WIDTHxHEIGHT')
      .nullable()
      .default(null),
    bitrate: Bitrate.nullable().default(null),
    fps: z.number().int().min(1).max(120).nullable().default(null),
    audio_codec: z.enum(['aac', 'mp3', 'opus', 'vorbis', 'flac', 'ac3', 'copy']).default('aac'),
    audio_bitrate: Bitrate.default('128k'),
  })
  .describe('Transcode a video with FFmpeg');
export type FfmpegTranscodeRequest = z.output<typeof FfmpegTranscodeRequest>;

/** h264/h265 are encoded with NVENC; VP9 and AV1 run on any GPU. */
export const ffmpegConstraints = (r: FfmpegTranscodeRequest): JobConstraints =>
  r.codec === 'h264' || r.codec === 'h265' ? { gpu: 'nvidia', min_vram_gb: 4 } : { gpu: 'any' };

export const FFMPEG_PRICING = [
  tier('per_minute', 0.005, { unit: 'video minute' }),
  tier('per_gb', 0.01, { unit: 'GB of input' }),
];

// ── blender/render → 3d_rendering ─────────────────────────────────────────────────────────────

const Frame = z.number().int().min(1).max(1_048_574); // Blender's MAXFRAME

export const BlenderRenderRequest = z
  .strictObject({
    blend_file_url: httpUrl.describe('the .blend file'),
    engine: z.enum(['cycles', 'eevee', 'eevee-next']).default('cycles'),
    format: z.enum(['png', 'jpg', 'exr', 'bmp', 'tiff']).default('png'),
    resolution_x: z.number().int().min(1).max(65536).default(1920),
    resolution_y: z.number().int().min(1).max(65536).default(1080),
    resolution_percentage: z.number().int().min(1).max(100).default(100),
    samples: z.number().int().min(1).max(10000).default(128),
    frame_start: Frame.default(1),
    frame_end: Frame.default(1).describe('at least frame_start'),
    frame_step: z.number().int().min(1).max(1_048_574).default(1),
    denoise: z.boolean().default(true),
    transparent: z.boolean().default(false),
  })
  .refine((r) => r.frame_end >= r.frame_start, {
    path: ['frame_end'],
    message: 'frame_end must be at least frame_start',
  })
  .describe('Render frames of a Blender scene');
export type BlenderRenderRequest = z.output<typeof BlenderRenderRequest>;

export const blenderFrameCount = (r: BlenderRenderRequest): number =>
  Math.floor((r.frame_end - r.frame_start) / r.frame_step) + 1;

export const blenderConstraints = (r: BlenderRenderRequest): JobConstraints =>
  r.engine === 'cycles' ? { gpu: 'nvidia' } : {};

/**
 * A generous per-frame budget: Cycles 120 s per frame at 128 samples and 1080p, Eevee 30 s,
 * scaled by samples (Cycles) and rendered pixels, plus 10 minutes to fetch and set up.
 */
export function blenderTimeout(r: BlenderRenderRequest): number {
  const scale = r.resolution_percentage / 100;
  const pixels = (r.resolution_x * scale * r.resolution_y * scale) / (1920 * 1080);
  const work = r.engine === 'cycles' ? 120 * (r.samples / 128) * pixels : 30 * pixels;
  return clampTimeout(600 + blenderFrameCount(r) * Math.max(10, work));
}

export const BLENDER_TIER = tier('per_frame', 0.05, { unit: 'rendered frame' });

export const blenderPrice = (r: BlenderRenderRequest): number =>
  priced(blenderFrameCount(r), BLENDER_TIER);

// ── the endpoint table ────────────────────────────────────────────────────────────────────────

export interface TypedEndpoint<S extends z.ZodType = z.ZodType> {
  service: string;
  method: 'POST';
  path: string;
  /** The registry service whose job the request becomes. */
  registryId: string;
  description: string;
  input: S;
}

export const TYPED_ENDPOINTS = [
  {
    service: 'whisper/transcribe',
    method: 'POST',
    path: '/v1/services/whisper/transcribe',
    registryId: 'speech_recognition',
    description: 'Transcribe or translate audio with Whisper',
    input: WhisperTranscribeRequest,
  },
  {
    service: 'stable-diffusion/generate',
    method: 'POST',
    path: '/v1/services/stable-diffusion/generate',
    registryId: 'image_generation',
    description: 'Generate images from a prompt with Stable Diffusion',
    input: StableDiffusionRequest,
  },
  {
    service: 'llm/inference',
    method: 'POST',
    path: '/v1/services/llm/inference',
    registryId: 'llm_inference',
    description: 'Complete a prompt with an open large language model',
    input: LlmInferenceRequest,
  },
  {
    service: 'ffmpeg/transcode',
    method: 'POST',
    path: '/v1/services/ffmpeg/transcode',
    registryId: 'video_transcoding',
    description: 'Transcode a video with FFmpeg',
    input: FfmpegTranscodeRequest,
  },
  {
    service: 'blender/render',
    method: 'POST',
    path: '/v1/services/blender/render',
    registryId: '3d_rendering',
    description: 'Render frames of a Blender scene',
    input: BlenderRenderRequest,
  },
] as const satisfies readonly TypedEndpoint[];

export type TypedServiceName = (typeof TYPED_ENDPOINTS)[number]['service'];

export function getTypedEndpoint(service: string): (typeof TYPED_ENDPOINTS)[number] | undefined {
  return TYPED_ENDPOINTS.find((e) => e.service === service);
}
