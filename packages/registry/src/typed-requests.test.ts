import { describe, expect, it } from 'vitest';
import {
  constraintsForRequest,
  estimatePrice,
  getService,
  timeoutForRequest,
  validateServiceInput,
} from './catalog.js';
import { MAX_TIMEOUT_SECONDS } from './helpers.js';
import {
  BlenderRenderRequest,
  FfmpegTranscodeRequest,
  LlmInferenceRequest,
  StableDiffusionRequest,
  TYPED_ENDPOINTS,
  WhisperTranscribeRequest,
} from './typed-requests.js';

const AUDIO = 'https://example.com/talk.mp3';
const VIDEO = 'https://example.com/raw.mov';
const BLEND = 'https://example.com/scene.blend';

/** One minimal valid request per typed endpoint, and the URL fields it has. */
const CASES = {
  'whisper/transcribe': { valid: { audio_url: AUDIO }, urls: ['audio_url'] },
  'stable-diffusion/generate': { valid: { prompt: 'a red fox' }, urls: [] },
  'llm/inference': { valid: { model: 'llama-7b', prompt: 'Hi' }, urls: [] },
  'ffmpeg/transcode': { valid: { input_url: VIDEO }, urls: ['input_url'] },
  'blender/render': { valid: { blend_file_url: BLEND }, urls: ['blend_file_url'] },
} as const satisfies Record<string, { valid: object; urls: readonly string[] }>;

function plan(id: string, payload: unknown) {
  const service = getService(id);
  if (!service) throw new Error(`no service ${id}`);
  const value = service.input.parse(payload);
  return {
    constraints: constraintsForRequest(service, value),
    timeout: timeoutForRequest(service, value),
  };
}

function issuesOf(id: string, payload: unknown) {
  const result = validateServiceInput(id, payload);
  return result.ok ? [] : result.issues;
}

describe('TYPED_ENDPOINTS', () => {
  it('lists the five typed endpoints of the contract under /v1/services', () => {
    expect(TYPED_ENDPOINTS.map((e) => [e.method, e.path, e.registryId])).toEqual([
      ['POST', '/v1/services/whisper/transcribe', 'speech_recognition'],
      ['POST', '/v1/services/stable-diffusion/generate', 'image_generation'],
      ['POST', '/v1/services/llm/inference', 'llm_inference'],
      ['POST', '/v1/services/ffmpeg/transcode', 'video_transcoding'],
      ['POST', '/v1/services/blender/render', '3d_rendering'],
    ]);
  });

  it.each(TYPED_ENDPOINTS)(
    '$service jobs are validated by the same schema in the registry',
    (e) => {
      expect(getService(e.registryId)?.input).toBe(e.input);
      expect(e.path).toBe(`/v1/services/${e.service}`);
    },
  );
});

describe.each(TYPED_ENDPOINTS)('$service', (endpoint) => {
  const { valid, urls } = CASES[endpoint.service];

  it('accepts its minimal request', () => {
    expect(validateServiceInput(endpoint.registryId, valid).ok).toBe(true);
  });

  it('refuses custom_args (no command-line pass-through)', () => {
    expect(issuesOf(endpoint.registryId, { ...valid, custom_args: ['-vf', 'x'] })).toEqual([
      { path: 'custom_args', message: 'unknown field' },
    ]);
  });

  it.each(
    urls.flatMap((field) =>
      [
        'ftp://example.com/x',
        'file:///etc/passwd',
        'https://u:p@example.com/x',
        'gopher://example.com/',
      ].map((url) => ({ field, url })),
    ),
  )('refuses $url in $field', ({ field, url }) => {
    expect(issuesOf(endpoint.registryId, { ...valid, [field]: url }).map((i) => i.path)).toEqual([
      field,
    ]);
  });
});

/** Each bound of SERVICES.md as a [field, value] that must be refused at that field. */
const BOUNDS: Record<string, [field: string, value: unknown][]> = {
  speech_recognition: [
    ['model', 'large-v4'],
    ['language', 'xx'],
    ['task', 'summarize'],
    ['temperature', -0.1],
    ['temperature', 1.1],
    ['best_of', 0],
    ['best_of', 11],
    ['beam_size', 0],
    ['beam_size', 11],
    ['patience', -0.1],
    ['patience', 2.1],
    ['suppress_tokens', [1.5]],
    ['initial_prompt', 42],
    ['fp16', 'yes'],
  ],
  image_generation: [
    ['prompt', ''],
    ['prompt', 'x'.repeat(1001)],
    ['negative_prompt', 'x'.repeat(1001)],
    ['model', 'dall-e'],
    ['size', '640x640'],
    ['num_images', 0],
    ['num_images', 5],
    ['num_inference_steps', 0],
    ['num_inference_steps', 101],
    ['guidance_scale', 0.5],
    ['guidance_scale', 20.5],
    ['seed', [1, 2, 3, 4, 5]],
    ['seed', 1.5],
    ['lora_scale', -0.1],
    ['lora_scale', 2.1],
    ['lora', '../../etc/passwd'],
    ['scheduler', 'rm -rf /'],
  ],
  llm_inference: [
    ['model', 'gpt-4'],
    ['prompt', ''],
    ['prompt', 'x'.repeat(10001)],
    ['max_tokens', 0],
    ['max_tokens', 4097],
    ['temperature', -0.1],
    ['temperature', 2.1],
    ['top_p', 1.1],
    ['top_k', -1],
    ['top_k', 101],
    ['repetition_penalty', 2.1],
    ['stop_sequences', 'END'],
    ['stream', 1],
  ],
  video_transcoding: [
    ['output_format', 'flv'],
    ['codec', 'mpeg2'],
    ['preset', 'fastest'],
    ['crf', -1],
    ['crf', 52],
    ['resolution', '1920*1080'],
    ['resolution', '1920x'],
    ['bitrate', '5G'],
    ['bitrate', '-5k'],
    ['fps', 0],
    ['fps', 121],
    ['audio_bitrate', '128 k'],
  ],
  '3d_rendering': [
    ['engine', 'workbench'],
    ['format', 'gif'],
    ['resolution_x', 0],
    ['resolution_x', 65537],
    ['resolution_y', 65537],
    ['resolution_percentage', 0],
    ['resolution_percentage', 101],
    ['samples', 0],
    ['samples', 10001],
    ['frame_start', 0],
    ['frame_step', 0],
    ['denoise', 'true'],
  ],
};

describe.each(TYPED_ENDPOINTS)('$service bounds', (endpoint) => {
  const { valid } = CASES[endpoint.service];
  it.each(BOUNDS[endpoint.registryId] ?? [])('refuses %s = %j at that field', (field, value) => {
    const issues = issuesOf(endpoint.registryId, { ...valid, [field]: value });
    expect(issues.map((i) => i.path.split('.')[0])).toEqual([field]);
  });
});

describe('typed request defaults (SERVICES.md)', () => {
  it('whisper/transcribe', () => {
    expect(WhisperTranscribeRequest.parse({ audio_url: AUDIO })).toEqual({
      audio_url: AUDIO,
      model: 'base',
      language: 'auto',
      task: 'transcribe',
      temperature: 0,
      best_of: 5,
      beam_size: 5,
      patience: 1,
      suppress_tokens: null,
      initial_prompt: null,
      condition_on_previous_text: true,
      fp16: true,
      verbose: false,
    });
  });

  it('stable-diffusion/generate', () => {
    expect(StableDiffusionRequest.parse({ prompt: 'a red fox' })).toEqual({
      prompt: 'a red fox',
      negative_prompt: null,
      model: 'stable-diffusion-1.5',
      size: '512x512',
      num_images: 1,
      num_inference_steps: 20,
      guidance_scale: 7.5,
      seed: null,
      scheduler: 'DPMSolverMultistepScheduler',
      enable_safety_checker: true,
      lora: null,
      lora_scale: 1,
    });
  });

  it('llm/inference', () => {
    expect(LlmInferenceRequest.parse({ model: 'mistral-7b', prompt: 'Hi' })).toEqual({
      model: 'mistral-7b',
      prompt: 'Hi',
      max_tokens: 256,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      repetition_penalty: 1.1,
      stop_sequences: null,
      stream: false,
    });
  });

  it('ffmpeg/transcode', () => {
    expect(FfmpegTranscodeRequest.parse({ input_url: VIDEO })).toEqual({
      input_url: VIDEO,
      output_format: 'mp4',
      codec: 'h264',
      preset: 'medium',
      crf: 23,
      resolution: null,
      bitrate: null,
      fps: null,
      audio_codec: 'aac',
      audio_bitrate: '128k',
    });
  });

  it('blender/render', () => {
    expect(BlenderRenderRequest.parse({ blend_file_url: BLEND })).toEqual({
      blend_file_url: BLEND,
      engine: 'cycles',
      format: 'png',
      resolution_x: 1920,
      resolution_y: 1080,
      resolution_percentage: 100,
      samples: 128,
      frame_start: 1,
      frame_end: 1,
      frame_step: 1,
      denoise: true,
      transparent: false,
    });
  });

  it('accepts the documented extremes', () => {
    expect(
      StableDiffusionRequest.safeParse({
        prompt: 'x'.repeat(1000),
        num_images: 4,
        seed: [1, 2, 3, 4],
      }).success,
    ).toBe(true);
    expect(
      FfmpegTranscodeRequest.safeParse({
        input_url: VIDEO,
        resolution: '3840x2160',
        bitrate: '8M',
        fps: 120,
        crf: 0,
      }).success,
    ).toBe(true);
    expect(
      LlmInferenceRequest.safeParse({
        model: 'llama-70b',
        prompt: 'x'.repeat(10000),
        max_tokens: 4096,
      }).success,
    ).toBe(true);
  });
});

describe('blender/render frame range', () => {
  it('reports frame_end before frame_start at frame_end', () => {
    expect(
      issuesOf('3d_rendering', { blend_file_url: BLEND, frame_start: 10, frame_end: 9 }),
    ).toEqual([{ path: 'frame_end', message: 'frame_end must be at least frame_start' }]);
  });

  it('accepts a single frame and a range', () => {
    for (const [start, end] of [
      [5, 5],
      [1, 250],
    ])
      expect(
        validateServiceInput('3d_rendering', {
          blend_file_url: BLEND,
          frame_start: start,
          frame_end: end,
        }).ok,
      ).toBe(true);
  });
});

describe('request-dependent constraints', () => {
  it.each([
    ['tiny', 1],
    ['base', 1],
    ['small', 2],
    ['medium', 5],
    ['large', 10],
    ['large-v2', 10],
    ['large-v3', 10],
  ])('whisper %s needs %d GB', (model, gb) => {
    expect(plan('speech_recognition', { audio_url: AUDIO, model }).constraints.min_vram_gb).toBe(
      gb,
    );
  });

  it.each([
    ['stable-diffusion-1.5', 4],
    ['stable-diffusion-2.1', 4],
    ['stable-diffusion-xl', 8],
    ['sdxl-turbo', 8],
    ['sdxl-refiner', 8],
  ])('stable diffusion %s needs NVIDIA, CUDA 11.8 and %d GB', (model, gb) => {
    expect(plan('image_generation', { prompt: 'p', model }).constraints).toEqual({
      gpu: 'nvidia',
      cuda: '11.8',
      min_vram_gb: gb,
    });
  });

  it.each([
    ['llama-7b', 8],
    ['mistral-7b', 8],
    ['codellama-7b', 8],
    ['llama-13b', 16],
    ['codellama-13b', 16],
    ['codellama-34b', 32],
    ['mixtral-8x7b', 48],
    ['llama-70b', 64],
  ])('llm %s needs NVIDIA, CUDA 11.8 and %d GB', (model, gb) => {
    expect(plan('llm_inference', { model, prompt: 'p' }).constraints).toEqual({
      gpu: 'nvidia',
      cuda: '11.8',
      min_vram_gb: gb,
    });
  });

  it.each(['h264', 'h265'])('ffmpeg %s wants NVENC: NVIDIA with 4 GB', (codec) => {
    expect(plan('video_transcoding', { input_url: VIDEO, codec }).constraints).toEqual({
      gpu: 'nvidia',
      min_vram_gb: 4,
    });
  });

  it.each(['vp9', 'av1'])('ffmpeg %s runs on any GPU with the service minimum', (codec) => {
    expect(plan('video_transcoding', { input_url: VIDEO, codec }).constraints).toEqual({
      gpu: 'any',
      min_vram_gb: 2,
    });
  });

  it('blender cycles wants NVIDIA, eevee any GPU', () => {
    expect(plan('3d_rendering', { blend_file_url: BLEND }).constraints.gpu).toBe('nvidia');
    expect(plan('3d_rendering', { blend_file_url: BLEND, engine: 'eevee' }).constraints.gpu).toBe(
      'any',
    );
  });
});

describe('blender/render timeout', () => {
  const frames = (frame_end: number, extra: object = {}) =>
    plan('3d_rendering', { blend_file_url: BLEND, frame_start: 1, frame_end, ...extra }).timeout;

  it('grows with the frame count', () => {
    expect(frames(100)).toBeGreaterThan(frames(10));
    expect(frames(10)).toBeGreaterThan(frames(1));
  });

  it('counts frames with frame_step', () => {
    expect(frames(100, { frame_step: 10 })).toBe(frames(10));
  });

  it('grows with samples and resolution under Cycles', () => {
    expect(frames(10, { samples: 1024 })).toBeGreaterThan(frames(10));
    expect(frames(10, { resolution_x: 3840, resolution_y: 2160 })).toBeGreaterThan(frames(10));
    expect(frames(10, { engine: 'eevee' })).toBeLessThan(frames(10));
  });

  it('stays within the contract cap', () => {
    expect(frames(1_000_000, { samples: 10000 })).toBe(MAX_TIMEOUT_SECONDS);
  });
});

describe('price estimates', () => {
  it('blender: per frame × frames', () => {
    expect(estimatePrice('3d_rendering', { blend_file_url: BLEND })).toBe(0.05);
    expect(estimatePrice('3d_rendering', { blend_file_url: BLEND, frame_end: 100 })).toBe(5);
    expect(
      estimatePrice('3d_rendering', { blend_file_url: BLEND, frame_end: 100, frame_step: 2 }),
    ).toBe(2.5);
  });

  it('stable diffusion: per image, XL at the XL rate', () => {
    expect(estimatePrice('image_generation', { prompt: 'p', num_images: 3 })).toBe(0.03);
    expect(
      estimatePrice('image_generation', {
        prompt: 'p',
        num_images: 4,
        model: 'stable-diffusion-xl',
      }),
    ).toBe(0.08);
  });

  it('llm: max_tokens per unit, at least the minimum charge', () => {
    expect(estimatePrice('llm_inference', { model: 'llama-7b', prompt: 'p' })).toBe(0.256);
    expect(estimatePrice('llm_inference', { model: 'llama-7b', prompt: 'p', max_tokens: 5 })).toBe(
      0.01,
    );
  });

  it('is null when the bill depends on media length, or the input is invalid', () => {
    expect(estimatePrice('speech_recognition', { audio_url: AUDIO })).toBeNull();
    expect(estimatePrice('video_transcoding', { input_url: VIDEO })).toBeNull();
    expect(estimatePrice('3d_rendering', { blend_file_url: 'ftp://x.test/a' })).toBeNull();
    expect(estimatePrice('no_such_service', {})).toBeNull();
  });
});
