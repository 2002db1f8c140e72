import type { JobConstraints } from '@aitbc/contracts';
import { z } from 'zod';
import { Artifact, httpUrl, Seed } from '../fields.js';
import { clampTimeout, need, priced, tier } from '../helpers.js';
import { defineService } from '../types.js';

const CLOUD_GAMING_TIER = tier('per_hour', 1.2, { min_charge: 0.2, unit: 'session hour' });

export const cloudGaming = defineService({
  id: 'cloud_gaming',
  name: 'Cloud gaming',
  category: 'gaming_entertainment',
  description: 'Run a game on a remote GPU and stream it to the player at low latency.',
  version: '1.0.0',
  tags: ['cloud-gaming', 'streaming', 'webrtc', 'low-latency', 'games'],
  input: z.strictObject({
    game_id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a catalog game id'),
    resolution: z.enum(['720p', '1080p', '1440p', '2160p']).default('1080p'),
    fps: z.literal([30, 60, 120]).default(60),
    codec: z.enum(['h264', 'h265', 'av1']).default('h264'),
    max_bitrate_mbps: z.number().int().min(5).max(100).default(25),
    session_minutes: z.number().int().min(5).max(480).default(60),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'a region name such as eu-west')
      .nullable()
      .default(null)
      .describe('run near the player'),
  }),
  output: z.object({ session_url: httpUrl, expires_at: z.iso.datetime({ offset: true }) }),
  example: { game_id: 'open-arena' },
  requirements: [
    need.gpu('nvidia'),
    need.vram(8, { recommended: 12 }),
    need.cpu(8),
    need.ram(16),
    need.network(50, { recommended: 100 }),
  ],
  pricing: [CLOUD_GAMING_TIER],
  timeout_seconds: 3900,
  max_concurrent: 1,
  constraintsFor: (r) => {
    const c: JobConstraints = r.resolution === '2160p' ? { min_vram_gb: 12 } : {};
    return r.region === null ? c : { ...c, region: r.region };
  },
  timeoutFor: (r) => clampTimeout(r.session_minutes * 60 + 300),
  estimatePrice: (r) => priced(r.session_minutes / 60, CLOUD_GAMING_TIER),
});

export const gameAssetBaking = defineService({
  id: 'game_asset_baking',
  name: 'Game asset baking',
  category: 'gaming_entertainment',
  description: 'Bake lightmaps, normal and ambient-occlusion maps and reflection probes.',
  version: '1.0.0',
  tags: ['baking', 'lightmaps', 'textures', 'game-dev', 'gltf', 'unreal', 'unity'],
  input: z.strictObject({
    asset_url: httpUrl.describe('a glTF/GLB, FBX or engine scene export'),
    bake_type: z
      .enum(['lightmaps', 'normal_maps', 'ambient_occlusion', 'reflection_probes'])
      .default('lightmaps'),
    target_engine: z.enum(['gltf', 'unity', 'unreal', 'godot']).default('gltf'),
    texture_resolution: z.literal([512, 1024, 2048, 4096, 8192]).default(2048),
    samples: z.number().int().min(1).max(4096).default(256),
    denoise: z.boolean().default(true),
    output_format: z.enum(['png', 'exr', 'ktx2']).default('png'),
  }),
  output: z.object({ assets: z.array(Artifact) }),
  example: { asset_url: 'https://example.com/level01.glb' },
  requirements: [need.gpu('nvidia'), need.vram(6, { recommended: 12 })],
  pricing: [tier('per_hour', 0.9, { min_charge: 0.05 })],
  timeout_seconds: 7200,
  max_concurrent: 2,
  constraintsFor: (r) => (r.texture_resolution === 8192 ? { min_vram_gb: 12 } : {}),
});

const PHYSICS_FRAME_TIER = tier('per_frame', 0.001, { unit: 'simulated frame' });

/** Game-engine physics; distinct from scientific `physics_simulation` (the original reused that id). */
export const gamePhysicsSimulation = defineService({
  id: 'game_physics_simulation',
  name: 'Game physics simulation',
  category: 'gaming_entertainment',
  description:
    'Rigid-body, cloth, fluid and destruction simulation baked to caches for games and VFX.',
  version: '1.0.0',
  tags: ['physx', 'physics', 'destruction', 'cloth', 'vfx', 'game-dev'],
  input: z.strictObject({
    scene_url: httpUrl,
    engine: z.enum(['physx', 'bullet', 'mujoco']).default('physx'),
    simulation_type: z
      .enum(['rigid_body', 'cloth', 'fluid', 'destruction', 'ragdoll'])
      .default('rigid_body'),
    duration_seconds: z.number().gt(0).max(3600).default(10),
    fps: z.literal([30, 60, 120, 240]).default(60),
    substeps: z.number().int().min(1).max(16).default(4),
    max_bodies: z.number().int().min(1).max(1_000_000).default(10000),
    export_format: z.enum(['alembic', 'usd', 'gltf', 'fbx']).default('alembic'),
  }),
  output: z.object({ cache: Artifact, frames: z.number().int() }),
  example: { scene_url: 'https://example.com/tower.usd' },
  requirements: [need.gpu('nvidia'), need.vram(4, { recommended: 12 }), need.cuda('11.8')],
  pricing: [PHYSICS_FRAME_TIER],
  timeout_seconds: 3600,
  max_concurrent: 4,
  estimatePrice: (r) => priced(Math.ceil(r.duration_seconds * r.fps), PHYSICS_FRAME_TIER),
});

const VR_FRAME_TIER = tier('per_frame', 0.004, { unit: 'stereo frame' });

export const vrArRendering = defineService({
  id: 'vr_ar_rendering',
  name: 'VR/AR rendering',
  category: 'gaming_entertainment',
  description: 'Stereo 360° video, cubemaps and foveated renders for VR and AR headsets.',
  version: '1.0.0',
  tags: ['vr', 'ar', 'xr', 'stereo', '360', 'rendering'],
  input: z.strictObject({
    scene_url: httpUrl,
    output_type: z.enum(['stereo_360_video', 'stereo_video', 'cubemap']).default('stereo_video'),
    per_eye_resolution: z
      .enum(['1440x1600', '1832x1920', '2064x2208', '2880x2880'])
      .default('1832x1920'),
    fps: z.literal([72, 90, 120]).default(90),
    duration_seconds: z.number().int().min(1).max(600).default(10),
    foveated: z.boolean().default(true),
    ipd_mm: z.number().min(50).max(80).default(63),
    format: z.enum(['mp4', 'png_sequence', 'exr_sequence']).default('mp4'),
  }),
  output: z.object({ output: Artifact, frames: z.number().int() }),
  example: { scene_url: 'https://example.com/museum.usdz' },
  requirements: [need.gpu('nvidia'), need.vram(8, { recommended: 16 })],
  pricing: [VR_FRAME_TIER],
  timeout_seconds: 3600,
  max_concurrent: 2,
  constraintsFor: (r) => (r.per_eye_resolution === '2880x2880' ? { min_vram_gb: 16 } : {}),
  timeoutFor: (r) => clampTimeout(600 + r.duration_seconds * r.fps * 2),
  estimatePrice: (r) => priced(r.duration_seconds * r.fps, VR_FRAME_TIER),
});

export const gameAiTraining = defineService({
  id: 'game_ai_training',
  name: 'Game AI training',
  category: 'gaming_entertainment',
  description: 'Train game-playing agents and NPC policies with reinforcement learning.',
  version: '1.0.0',
  tags: ['reinforcement-learning', 'ppo', 'agents', 'npc', 'game-dev'],
  input: z.strictObject({
    environment_url: httpUrl.describe('a headless game build exposing a Gym-compatible API'),
    algorithm: z.enum(['ppo', 'sac', 'dqn', 'impala']).default('ppo'),
    total_timesteps: z.number().int().min(1000).max(10_000_000_000).default(1_000_000),
    num_envs: z.number().int().min(1).max(4096).default(64),
    learning_rate: z.number().gt(0).max(1).default(0.0003),
    gamma: z.number().min(0).max(1).default(0.99),
    checkpoint_interval: z.number().int().min(1000).max(1_000_000_000).default(100_000),
    seed: Seed.nullable().default(null),
  }),
  output: z.object({ policy: Artifact, mean_reward: z.number(), timesteps: z.number().int() }),
  example: { environment_url: 'https://example.com/builds/arena-headless.zip' },
  requirements: [
    need.gpu('nvidia'),
    need.vram(8, { recommended: 24 }),
    need.cuda('11.8'),
    need.cpu(16),
    need.ram(32),
  ],
  pricing: [tier('per_hour', 1.5, { min_charge: 0.25 })],
  timeout_seconds: 43200,
  max_concurrent: 1,
});

export const GAMING_SERVICES = [
  cloudGaming,
  gameAssetBaking,
  gamePhysicsSimulation,
  vrArRendering,
  gameAiTraining,
];
