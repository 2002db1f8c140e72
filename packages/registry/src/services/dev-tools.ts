import type { JobConstraints } from '@aitbc/contracts';
import { z } from 'zod';
import { Artifact, httpUrl, Seed } from '../fields.js';
import { clampTimeout, need, priced, tier } from '../helpers.js';
import { defineService } from '../types.js';

const NVIDIA_ARCHS = ['sm_70', 'sm_75', 'sm_80', 'sm_86', 'sm_89', 'sm_90'] as const;
const AMD_ARCHS = ['gfx90a', 'gfx942', 'gfx1100'] as const;
const isNvidiaArch = (a: string) => a.startsWith('sm_');

export const gpuCompilation = defineService({
  id: 'gpu_compilation',
  name: 'GPU compilation',
  category: 'development_tools',
  description: 'Build and test CUDA, HIP, OpenCL and Triton projects on the target GPU.',
  version: '1.0.0',
  tags: ['cuda', 'hip', 'compiler', 'ci', 'nvcc', 'build'],
  input: z
    .strictObject({
      source_url: httpUrl.describe('a .tar.gz or .zip of the project'),
      language: z.enum(['cuda', 'hip', 'opencl', 'triton']).default('cuda'),
      target_architectures: z
        .array(z.enum([...NVIDIA_ARCHS, ...AMD_ARCHS]))
        .min(1)
        .max(9)
        .default(['sm_80']),
      build_system: z.enum(['cmake', 'meson', 'bazel']).default('cmake'),
      optimization: z.enum(['O0', 'O1', 'O2', 'O3']).default('O3'),
      debug_symbols: z.boolean().default(false),
      run_tests: z.boolean().default(true),
    })
    .refine((r) => r.language !== 'cuda' || r.target_architectures.every(isNvidiaArch), {
      path: ['target_architectures'],
      message: 'CUDA builds target NVIDIA (sm_*) architectures only',
    }),
  output: z.object({
    artifacts: z.array(Artifact),
    log: Artifact,
    warnings: z.number().int(),
    tests_passed: z.boolean().nullable(),
  }),
  example: { source_url: 'https://example.com/kernels.tar.gz' },
  requirements: [need.gpu('any'), need.vram(2), need.cpu(8), need.ram(16), need.storage(50)],
  pricing: [tier('per_minute', 0.01, { min_charge: 0.05 })],
  timeout_seconds: 3600,
  max_concurrent: 4,
  // Running the tests needs a GPU of the targeted vendor; Hopper (sm_90) needs CUDA 12.
  constraintsFor: (r): JobConstraints => {
    const targets = r.target_architectures;
    if (targets.every(isNvidiaArch))
      return { gpu: 'nvidia', cuda: targets.includes('sm_90') ? '12.0' : '11.8' };
    return targets.some(isNvidiaArch) ? {} : { gpu: 'amd' };
  },
});

export const dataProcessing = defineService({
  id: 'data_processing',
  name: 'Data processing',
  category: 'development_tools',
  description: 'Clean, deduplicate, tokenize and convert datasets for training pipelines.',
  version: '1.0.0',
  tags: ['datasets', 'etl', 'tokenization', 'parquet', 'preprocessing'],
  input: z
    .strictObject({
      input_urls: z.array(httpUrl).min(1).max(256),
      operation: z
        .enum(['format_conversion', 'clean', 'deduplicate', 'tokenize'])
        .default('format_conversion'),
      input_format: z.enum(['csv', 'jsonl', 'parquet', 'arrow']).default('csv'),
      output_format: z.enum(['parquet', 'jsonl', 'csv', 'arrow']).default('parquet'),
      compression: z.enum(['none', 'snappy', 'zstd', 'gzip']).default('zstd'),
      tokenizer: z.enum(['llama', 'mistral', 'gpt2', 'bert-base']).nullable().default(null),
      text_field: z.string().min(1).max(128).default('text'),
      chunk_size_mb: z.number().int().min(1).max(4096).default(256),
    })
    .refine((r) => r.operation !== 'tokenize' || r.tokenizer !== null, {
      path: ['tokenizer'],
      message: 'tokenize needs a tokenizer',
    }),
  output: z.object({ outputs: z.array(Artifact), records: z.number().int().nonnegative() }),
  example: { input_urls: ['https://example.com/corpus.jsonl'] },
  requirements: [need.gpu('any'), need.vram(2), need.ram(16), need.storage(100)],
  pricing: [tier('per_gb', 0.01, { unit: 'GB of input', min_charge: 0.01 })],
  timeout_seconds: 3600,
  max_concurrent: 4,
});

export const simulationTesting = defineService({
  id: 'simulation_testing',
  name: 'Simulation testing',
  category: 'development_tools',
  description: 'Run robotics and autonomous-driving scenarios in Isaac Sim, CARLA or Gazebo.',
  version: '1.0.0',
  tags: ['simulation', 'robotics', 'autonomous-driving', 'isaac-sim', 'carla', 'testing'],
  input: z.strictObject({
    scenario_url: httpUrl.describe('a scenario bundle'),
    simulator: z.enum(['isaac_sim', 'carla', 'gazebo']).default('carla'),
    runs: z.number().int().min(1).max(1000).default(10),
    run_seconds: z.number().int().min(1).max(3600).default(60),
    parallel_envs: z.number().int().min(1).max(64).default(1),
    sensors: z
      .array(z.enum(['camera', 'lidar', 'radar', 'imu', 'gps']))
      .min(1)
      .max(5)
      .default(['camera']),
    headless: z.boolean().default(true),
    seed: Seed.nullable().default(null),
  }),
  output: z.object({
    report: Artifact,
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }),
  example: { scenario_url: 'https://example.com/scenarios/cut-in.zip' },
  requirements: [need.gpu('nvidia'), need.vram(8, { recommended: 24 }), need.ram(32)],
  pricing: [tier('per_hour', 1, { min_charge: 0.1 })],
  timeout_seconds: 3600,
  max_concurrent: 2,
  // Isaac Sim renders with RT cores, so it needs an RTX card (not an A100).
  constraintsFor: (r) => (r.simulator === 'isaac_sim' ? { gpu: 'rtx', min_vram_gb: 12 } : {}),
  timeoutFor: (r) => clampTimeout(600 + (2 * r.runs * r.run_seconds) / r.parallel_envs),
});

const CODE_MODELS = [
  'codellama-7b',
  'codellama-13b',
  'codellama-34b',
  'starcoder2-15b',
  'deepseek-coder-6.7b',
] as const;
const CODE_VRAM_GB = {
  'codellama-7b': 8,
  'deepseek-coder-6.7b': 8,
  'codellama-13b': 16,
  'starcoder2-15b': 24,
  'codellama-34b': 32,
} as const satisfies Record<(typeof CODE_MODELS)[number], number>;
const CODE_TIER = tier('per_token', 0.0008, {
  min_charge: 0.005,
  description: 'estimates assume all max_tokens are generated',
});

export const codeGeneration = defineService({
  id: 'code_generation',
  name: 'Code generation',
  category: 'development_tools',
  description: 'Code completion, infilling, review and test generation with open code models.',
  version: '1.0.0',
  tags: ['code', 'llm', 'completion', 'codellama', 'starcoder', 'copilot'],
  input: z
    .strictObject({
      prompt: z.string().min(1).max(20000),
      model: z.enum(CODE_MODELS).default('codellama-7b'),
      task: z
        .enum(['completion', 'infill', 'explain', 'review', 'test_generation'])
        .default('completion'),
      language: z
        .enum([
          'python',
          'typescript',
          'javascript',
          'go',
          'rust',
          'java',
          'cpp',
          'c',
          'csharp',
          'sql',
        ])
        .nullable()
        .default(null),
      suffix: z.string().max(20000).nullable().default(null).describe('code after the cursor'),
      max_tokens: z.number().int().min(1).max(8192).default(512),
      temperature: z.number().min(0).max(2).default(0.2),
      top_p: z.number().min(0).max(1).default(0.95),
      stop_sequences: z.array(z.string().min(1).max(200)).max(16).nullable().default(null),
    })
    .refine((r) => r.task !== 'infill' || r.suffix !== null, {
      path: ['suffix'],
      message: 'infill needs the code after the cursor in suffix',
    }),
  output: z.object({
    text: z.string(),
    tokens_generated: z.number().int().nonnegative(),
    finish_reason: z.enum(['stop', 'length']),
  }),
  example: { prompt: 'def fibonacci(n: int) -> int:' },
  requirements: [need.gpu('nvidia'), need.vram(8, { recommended: 24 }), need.cuda('11.8')],
  pricing: [CODE_TIER],
  timeout_seconds: 300,
  max_concurrent: 2,
  constraintsFor: (r) => ({ min_vram_gb: CODE_VRAM_GB[r.model] }),
  estimatePrice: (r) => priced(r.max_tokens, CODE_TIER),
});

const BENCHMARK_TIER = tier('fixed', 0.5, { description: 'per benchmark run' });

export const gpuBenchmarking = defineService({
  id: 'gpu_benchmarking',
  name: 'GPU benchmarking',
  category: 'development_tools',
  description: 'Measure compute, memory bandwidth and ML throughput of a GPU class.',
  version: '1.0.0',
  tags: ['benchmark', 'performance', 'profiling', 'flops', 'bandwidth'],
  input: z.strictObject({
    suite: z
      .enum(['full', 'compute', 'memory_bandwidth', 'ml_training', 'ml_inference', 'rendering'])
      .default('full'),
    precisions: z
      .array(z.enum(['fp64', 'fp32', 'fp16', 'bf16', 'int8']))
      .min(1)
      .max(5)
      .default(['fp32', 'fp16']),
    target_gpu: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 .-]{0,63}$/, 'a GPU vendor or model such as "rtx 4090"')
      .nullable()
      .default(null),
    seconds_per_test: z.number().int().min(10).max(3600).default(60),
    iterations: z.number().int().min(1).max(100).default(3),
  }),
  output: z.object({
    gpu_model: z.string(),
    scores: z.record(z.string(), z.number()),
    report: Artifact,
  }),
  example: {},
  requirements: [need.gpu('any'), need.vram(1)],
  pricing: [BENCHMARK_TIER],
  timeout_seconds: 3600,
  max_concurrent: 1,
  constraintsFor: (r) => (r.target_gpu === null ? {} : { gpu: r.target_gpu }),
  timeoutFor: (r) => clampTimeout(300 + 6 * r.seconds_per_test * r.iterations),
  estimatePrice: () => priced(1, BENCHMARK_TIER),
});

export const DEV_TOOLS_SERVICES = [
  gpuCompilation,
  dataProcessing,
  simulationTesting,
  codeGeneration,
  gpuBenchmarking,
];
