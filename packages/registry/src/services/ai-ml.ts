import { z } from 'zod';
import { Artifact, httpUrl, Seed } from '../fields.js';
import { need, priced, tier } from '../helpers.js';
import {
  LLM_TIER,
  LlmInferenceRequest,
  llmConstraints,
  llmPrice,
  SD_TIER,
  SDXL_TIER,
  StableDiffusionRequest,
  stableDiffusionConstraints,
  stableDiffusionPrice,
  WHISPER_PRICING,
  WhisperTranscribeRequest,
  whisperConstraints,
} from '../typed-requests.js';
import { defineService } from '../types.js';

const FinishReason = z.enum(['stop', 'length']);

export const llmInference = defineService({
  id: 'llm_inference',
  name: 'LLM inference',
  category: 'ai_ml',
  description: 'Text generation with open large language models (Llama, Mistral, Code Llama).',
  version: '1.0.0',
  tags: ['llm', 'text', 'generation', 'llama', 'mistral', 'nlp'],
  input: LlmInferenceRequest,
  output: z.object({
    text: z.string(),
    tokens_generated: z.number().int().nonnegative(),
    finish_reason: FinishReason,
  }),
  example: { model: 'llama-7b', prompt: 'Explain GPU leasing in one sentence.' },
  requirements: [need.gpu('nvidia'), need.vram(8, { recommended: 24 }), need.cuda('11.8')],
  pricing: [LLM_TIER],
  timeout_seconds: 300,
  max_concurrent: 2,
  constraintsFor: llmConstraints,
  estimatePrice: llmPrice,
});

export const imageGeneration = defineService({
  id: 'image_generation',
  name: 'Image generation',
  category: 'ai_ml',
  description: 'Text-to-image with Stable Diffusion 1.5, 2.1 and SDXL, with optional LoRA.',
  version: '1.0.0',
  tags: ['stable-diffusion', 'sdxl', 'image', 'text-to-image', 'generative'],
  input: StableDiffusionRequest,
  output: z.object({ images: z.array(Artifact), seeds: z.array(Seed) }),
  example: { prompt: 'a lighthouse at dusk, oil painting' },
  requirements: [need.gpu('nvidia'), need.vram(4, { recommended: 12 }), need.cuda('11.8')],
  pricing: [SD_TIER, SDXL_TIER],
  timeout_seconds: 300,
  max_concurrent: 4,
  constraintsFor: stableDiffusionConstraints,
  estimatePrice: stableDiffusionPrice,
});

export const speechRecognition = defineService({
  id: 'speech_recognition',
  name: 'Speech recognition',
  category: 'ai_ml',
  description: 'Speech-to-text and translation to English with OpenAI Whisper.',
  version: '1.0.0',
  tags: ['whisper', 'speech', 'audio', 'transcription', 'asr'],
  input: WhisperTranscribeRequest,
  output: z.object({
    text: z.string(),
    language: z.string(),
    segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })),
  }),
  example: { audio_url: 'https://example.com/interview.mp3' },
  requirements: [need.gpu('any'), need.vram(1, { recommended: 10 })],
  pricing: WHISPER_PRICING,
  timeout_seconds: 1800,
  max_concurrent: 4,
  constraintsFor: whisperConstraints,
  estimatePrice: () => null, // billed per audio minute, unknown before the download
});

const VIDEO_GEN_VRAM_GB = { animatediff: 12, 'stable-video-diffusion': 16, 'cogvideox-5b': 24 };
const VIDEO_GEN_TIER = tier('per_frame', 0.01, { unit: 'generated frame' });

export const videoGeneration = defineService({
  id: 'video_generation',
  name: 'Video generation',
  category: 'ai_ml',
  description: 'Text-to-video and image-to-video with diffusion models.',
  version: '1.0.0',
  tags: ['video', 'diffusion', 'generative', 'animation'],
  input: z
    .strictObject({
      prompt: z.string().min(1).max(2000),
      model: z
        .enum(['animatediff', 'stable-video-diffusion', 'cogvideox-5b'])
        .default('animatediff'),
      init_image_url: httpUrl
        .nullable()
        .default(null)
        .describe('required by stable-video-diffusion'),
      num_frames: z.number().int().min(8).max(128).default(25),
      fps: z.number().int().min(1).max(60).default(8),
      resolution: z
        .enum(['512x512', '576x1024', '1024x576', '720x1280', '1280x720'])
        .default('1024x576'),
      num_inference_steps: z.number().int().min(1).max(100).default(25),
      guidance_scale: z.number().min(1).max(20).default(7),
      seed: Seed.nullable().default(null),
      output_format: z.enum(['mp4', 'webm', 'gif']).default('mp4'),
    })
    .refine((r) => r.model !== 'stable-video-diffusion' || r.init_image_url !== null, {
      path: ['init_image_url'],
      message: 'stable-video-diffusion animates an image: init_image_url is required',
    }),
  output: z.object({ video: Artifact, frames: z.number().int(), duration_seconds: z.number() }),
  example: { prompt: 'a paper boat drifting down a rainy street' },
  requirements: [need.gpu('nvidia'), need.vram(12, { recommended: 24 }), need.cuda('11.8')],
  pricing: [VIDEO_GEN_TIER],
  timeout_seconds: 1800,
  max_concurrent: 1,
  constraintsFor: (r) => ({ min_vram_gb: VIDEO_GEN_VRAM_GB[r.model] }),
  estimatePrice: (r) => priced(r.num_frames, VIDEO_GEN_TIER),
});

const CV_TIER = tier('per_image', 0.002);

export const computerVision = defineService({
  id: 'computer_vision',
  name: 'Computer vision',
  category: 'ai_ml',
  description: 'Classification, object detection, segmentation, OCR and pose estimation on images.',
  version: '1.0.0',
  tags: ['vision', 'detection', 'segmentation', 'yolo', 'ocr', 'image'],
  input: z.strictObject({
    image_urls: z.array(httpUrl).min(1).max(64),
    task: z
      .enum(['classification', 'object_detection', 'segmentation', 'ocr', 'pose_estimation'])
      .default('object_detection'),
    model: z
      .enum([
        'yolov8n',
        'yolov8m',
        'yolov8x',
        'resnet50',
        'vit-b-16',
        'sam-vit-b',
        'sam-vit-h',
        'trocr-base',
      ])
      .default('yolov8m'),
    confidence_threshold: z.number().min(0).max(1).default(0.25),
    iou_threshold: z.number().min(0).max(1).default(0.45),
    max_detections: z.number().int().min(1).max(1000).default(100),
    image_size: z.literal([320, 640, 1280]).default(640),
  }),
  output: z.object({
    results: z.array(
      z.object({
        image_url: httpUrl,
        predictions: z.array(
          z.object({
            label: z.string(),
            confidence: z.number(),
            box: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
          }),
        ),
        text: z.string().nullable(),
      }),
    ),
  }),
  example: { image_urls: ['https://example.com/street.jpg'] },
  requirements: [need.gpu('any'), need.vram(4, { recommended: 8 })],
  pricing: [CV_TIER],
  timeout_seconds: 300,
  max_concurrent: 8,
  constraintsFor: (r) => (r.model === 'sam-vit-h' ? { min_vram_gb: 8 } : {}),
  estimatePrice: (r) => priced(r.image_urls.length, CV_TIER),
});

export const recommendationSystem = defineService({
  id: 'recommendation_system',
  name: 'Recommendation system',
  category: 'ai_ml',
  description: 'Train a recommender on user-item interactions and return top-k items per user.',
  version: '1.0.0',
  tags: ['recommendation', 'embeddings', 'collaborative-filtering', 'ranking'],
  input: z.strictObject({
    interactions_url: httpUrl.describe('CSV or Parquet of user_id, item_id[, rating, timestamp]'),
    items_url: httpUrl.nullable().default(null),
    algorithm: z
      .enum(['matrix_factorization', 'two_tower', 'neural_cf', 'dlrm'])
      .default('two_tower'),
    embedding_dim: z.number().int().min(8).max(1024).default(64),
    epochs: z.number().int().min(1).max(100).default(10),
    top_k: z.number().int().min(1).max(1000).default(10),
    user_ids: z.array(z.string().min(1).max(128)).min(1).max(10000).nullable().default(null),
  }),
  output: z.object({ model: Artifact, recommendations: Artifact }),
  example: { interactions_url: 'https://example.com/interactions.parquet' },
  requirements: [need.gpu('any'), need.vram(8, { recommended: 16 }), need.ram(32)],
  pricing: [tier('per_hour', 0.5)],
  timeout_seconds: 7200,
  max_concurrent: 2,
});

const TRAINABLE_MODELS = [
  'llama-7b',
  'llama-13b',
  'mistral-7b',
  'resnet50',
  'vit-base',
  'bert-base',
] as const;
type Method = 'full' | 'lora' | 'qlora';
/** VRAM of one GPU by fine-tuning method; full fine-tuning of LLMs is sharded over num_gpus. */
const TRAINING_VRAM_GB: Record<(typeof TRAINABLE_MODELS)[number], Record<Method, number>> = {
  'llama-7b': { full: 80, lora: 24, qlora: 12 },
  'mistral-7b': { full: 80, lora: 24, qlora: 12 },
  'llama-13b': { full: 80, lora: 40, qlora: 16 },
  resnet50: { full: 8, lora: 8, qlora: 8 },
  'vit-base': { full: 8, lora: 8, qlora: 8 },
  'bert-base': { full: 8, lora: 8, qlora: 8 },
};

export const modelTraining = defineService({
  id: 'model_training',
  name: 'Model training',
  category: 'ai_ml',
  description: 'Fine-tune language and vision models on your dataset (full, LoRA or QLoRA).',
  version: '1.0.0',
  tags: ['training', 'fine-tuning', 'lora', 'pytorch', 'deep-learning'],
  input: z.strictObject({
    base_model: z.enum(TRAINABLE_MODELS),
    dataset_url: httpUrl,
    dataset_format: z.enum(['jsonl', 'csv', 'parquet', 'imagefolder']).default('jsonl'),
    method: z.enum(['full', 'lora', 'qlora']).default('lora'),
    epochs: z.number().int().min(1).max(100).default(3),
    batch_size: z.number().int().min(1).max(1024).default(8),
    learning_rate: z.number().gt(0).max(1).default(0.0002),
    max_steps: z.number().int().min(1).max(10_000_000).nullable().default(null),
    precision: z.enum(['fp32', 'fp16', 'bf16']).default('bf16'),
    num_gpus: z.number().int().min(1).max(8).default(1),
    checkpoint_every_steps: z.number().int().min(1).max(10_000_000).nullable().default(null),
  }),
  output: z.object({
    model: Artifact,
    metrics: z.record(z.string(), z.number()),
    steps: z.number().int(),
  }),
  example: { base_model: 'mistral-7b', dataset_url: 'https://example.com/train.jsonl' },
  requirements: [
    need.gpu('nvidia'),
    need.vram(8, { recommended: 80 }),
    need.cuda('11.8'),
    need.ram(64),
    need.storage(200),
  ],
  pricing: [tier('per_hour', 2, { min_charge: 0.5 })],
  timeout_seconds: 86400,
  max_concurrent: 1,
  constraintsFor: (r) => ({ min_vram_gb: TRAINING_VRAM_GB[r.base_model][r.method] }),
});

const EMBEDDING_MODELS = [
  'bge-small-en-v1.5',
  'bge-large-en-v1.5',
  'e5-large-v2',
  'all-MiniLM-L6-v2',
] as const;
const EMBEDDING_TIER = tier('per_token', 0.000002, {
  min_charge: 0.001,
  description: 'estimates count 4 characters as a token',
});

export const embeddingGeneration = defineService({
  id: 'embedding_generation',
  name: 'Embedding generation',
  category: 'ai_ml',
  description: 'Dense text embeddings for search, clustering and retrieval-augmented generation.',
  version: '1.0.0',
  tags: ['embeddings', 'vectors', 'rag', 'semantic-search', 'nlp'],
  input: z.strictObject({
    inputs: z.array(z.string().min(1).max(8192)).min(1).max(2048),
    model: z.enum(EMBEDDING_MODELS).default('bge-small-en-v1.5'),
    normalize: z.boolean().default(true),
    truncate: z.enum(['none', 'start', 'end']).default('end'),
  }),
  output: z.object({
    embeddings: z.array(z.array(z.number())),
    dimensions: z.number().int(),
    model: z.string(),
  }),
  example: { inputs: ['GPU marketplace', 'decentralized compute'] },
  requirements: [need.gpu('any'), need.vram(2, { recommended: 8 })],
  pricing: [EMBEDDING_TIER],
  timeout_seconds: 300,
  max_concurrent: 8,
  constraintsFor: (r) => (r.model.includes('large') ? { min_vram_gb: 4 } : {}),
  estimatePrice: (r) =>
    priced(
      r.inputs.reduce((n, text) => n + Math.ceil(text.length / 4), 0),
      EMBEDDING_TIER,
    ),
});

export const AI_ML_SERVICES = [
  llmInference,
  imageGeneration,
  speechRecognition,
  videoGeneration,
  computerVision,
  recommendationSystem,
  modelTraining,
  embeddingGeneration,
];
