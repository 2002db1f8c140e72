import { JobConstraints, matches, toProfile, toRequirements, Version } from '@aitbc/contracts';
import { describe, expect, it } from 'vitest';
import {
  categories,
  constraintsForRequest,
  getService,
  indexById,
  listServices,
  planServiceJob,
  priceForRequest,
  SERVICES,
  serviceJsonSchema,
  timeoutForRequest,
  validateServiceInput,
} from './catalog.js';
import { MAX_TIMEOUT_SECONDS } from './helpers.js';
import { PricingTier, Requirement, SERVICE_CATEGORIES, type ServiceDefinition } from './types.js';

const ids = SERVICES.map((s) => s.id);

describe('the catalog', () => {
  it('has at least 30 services with unique ids', () => {
    expect(SERVICES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps scientific and game physics apart (the original reused physics_simulation)', () => {
    expect(getService('physics_simulation')?.category).toBe('scientific_computing');
    expect(getService('game_physics_simulation')?.category).toBe('gaming_entertainment');
  });

  it('refuses a duplicate id when indexing', () => {
    const [a, b] = SERVICES as [ServiceDefinition, ServiceDefinition];
    expect(() => indexById([a, { ...b, id: a.id }])).toThrow(`duplicate service id "${a.id}"`);
  });

  it('covers the original ids', () => {
    const original = [
      'llm_inference',
      'image_generation',
      'video_generation',
      'speech_recognition',
      'computer_vision',
      'recommendation_system',
      'video_transcoding',
      'video_streaming',
      '3d_rendering',
      'image_processing',
      'audio_processing',
      'molecular_dynamics',
      'weather_modeling',
      'financial_modeling',
      'physics_simulation',
      'bioinformatics',
      'big_data_processing',
      'real_time_analytics',
      'graph_analytics',
      'time_series_analysis',
      'cloud_gaming',
      'game_asset_baking',
      'vr_ar_rendering',
      'gpu_compilation',
      'model_training',
      'data_processing',
      'simulation_testing',
      'code_generation',
    ];
    expect(original.filter((id) => !getService(id))).toEqual([]);
  });

  it.each(SERVICE_CATEGORIES)('has at least 4 services in %s', (category) => {
    expect(listServices({ category }).length).toBeGreaterThanOrEqual(4);
  });

  it('counts every category, in order', () => {
    const counts = categories();
    expect(counts.map((c) => c.category)).toEqual([...SERVICE_CATEGORIES]);
    for (const c of counts)
      expect(c.count).toBe(SERVICES.filter((s) => s.category === c.category).length);
    expect(counts.reduce((n, c) => n + c.count, 0)).toBe(SERVICES.length);
  });
});

describe.each(SERVICES)('$id', (service) => {
  it('is well formed: id, version, requirements, AITBC pricing, timeout', () => {
    expect(service.id).toMatch(/^[a-z0-9_]+$/);
    expect(Version.safeParse(service.version).success).toBe(true);
    expect(service.tags.length).toBeGreaterThan(0);
    expect(service.requirements.length).toBeGreaterThan(0);
    for (const r of service.requirements) expect(Requirement.parse(r)).toEqual(r);
    expect(service.requirements.some((r) => r.component === 'gpu')).toBe(true);
    expect(service.pricing.length).toBeGreaterThan(0);
    for (const p of service.pricing) {
      expect(PricingTier.parse(p)).toEqual(p);
      expect(p.currency).toBe('AITBC');
    }
    expect(Number.isInteger(service.timeout_seconds)).toBe(true);
    expect(service.timeout_seconds).toBeGreaterThan(0);
    expect(service.timeout_seconds).toBeLessThanOrEqual(MAX_TIMEOUT_SECONDS);
    expect(Number.isInteger(service.max_concurrent) && service.max_concurrent >= 1).toBe(true);
  });

  it('example holds only the required fields, and parses with every default applied', () => {
    const schema = serviceJsonSchema(service.id) as {
      required?: string[];
      properties: Record<string, { default?: unknown }>;
    };
    expect(Object.keys(service.example as object).sort()).toEqual(
      [...(schema.required ?? [])].sort(),
    );
    const parsed = service.input.safeParse(service.example);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const value = parsed.data as Record<string, unknown>;
    for (const [field, prop] of Object.entries(schema.properties))
      if ('default' in prop) expect(value[field], field).toEqual(prop.default);
    // A request with every default spelled out is still valid.
    expect(service.input.safeParse(value).success).toBe(true);
  });

  it('refuses unknown fields and pass-through flags', () => {
    const result = validateServiceInput(service.id, {
      ...(service.example as object),
      extra_args: '-x',
    });
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'extra_args', message: 'unknown field' },
    ]);
    const names = JSON.stringify(serviceJsonSchema(service.id)).match(/"(\w+)":\{/g) ?? [];
    expect(
      names.filter((n) => /"(custom_args|extra_args|args|command|cmd|shell)"/.test(n)),
    ).toEqual([]);
  });

  it('derives constraints, a timeout and a price for its example', () => {
    const value = service.input.parse(service.example);
    const constraints = constraintsForRequest(service, value);
    expect(JobConstraints.parse(constraints)).toEqual(constraints);
    expect(constraints.gpu).toBeDefined();
    const timeout = timeoutForRequest(service, value);
    expect(Number.isInteger(timeout) && timeout >= 1 && timeout <= MAX_TIMEOUT_SECONDS).toBe(true);
    const price = priceForRequest(service, value);
    if (price !== null) expect(price >= 0 && Number.isFinite(price)).toBe(true);
  });
});

describe('listServices', () => {
  it('returns everything without filters', () => {
    expect(listServices().map((s) => s.id)).toEqual(ids);
  });

  it('filters by category', () => {
    const media = listServices({ category: 'media_processing' });
    expect(media.map((s) => s.id)).toContain('video_transcoding');
    expect(media.every((s) => s.category === 'media_processing')).toBe(true);
  });

  it('searches id, name, description and tags case-insensitively', () => {
    expect(listServices({ search: 'WHISPER' }).map((s) => s.id)).toEqual(['speech_recognition']);
    expect(listServices({ search: 'Blender' }).map((s) => s.id)).toContain('3d_rendering');
    expect(listServices({ search: 'graph_analytics' }).map((s) => s.id)).toEqual([
      'graph_analytics',
    ]);
    expect(listServices({ search: 'cugraph' }).map((s) => s.id)).toEqual(['graph_analytics']);
  });

  it('needs every term, within the category', () => {
    expect(listServices({ search: 'video nvenc' }).map((s) => s.id)).toEqual(['video_transcoding']);
    expect(listServices({ search: 'whisper', category: 'media_processing' })).toEqual([]);
    expect(listServices({ search: 'no-such-thing' })).toEqual([]);
  });
});

describe('validateServiceInput', () => {
  it('reports an unknown service', () => {
    expect(validateServiceInput('nope', {})).toEqual({
      ok: false,
      reason: 'unknown_service',
      issues: [{ path: 'service', message: 'unknown service "nope"' }],
    });
  });

  it('names the field and the broken rule', () => {
    expect(validateServiceInput('image_generation', { prompt: 'p', num_images: 5 })).toEqual({
      ok: false,
      reason: 'invalid_input',
      issues: [{ path: 'num_images', message: 'Too big: expected number to be <=4' }],
    });
  });

  it('uses dotted paths into arrays and nested objects', () => {
    const urls = validateServiceInput('computer_vision', {
      image_urls: ['https://example.com/a.jpg', 'file:///etc/passwd'],
    });
    expect(urls.ok ? [] : urls.issues.map((i) => i.path)).toEqual(['image_urls.1']);
    const region = validateServiceInput('weather_modeling', {
      init_time: '2026-11-28T00:00:00Z',
      region: { min_lat: 10, max_lat: 5, min_lon: 0, max_lon: 10 },
    });
    expect(region.ok ? [] : region.issues.map((i) => i.path)).toEqual(['region.max_lat']);
  });

  it('reports a payload that is not an object at the root', () => {
    const result = validateServiceInput('llm_inference', 'hello');
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual(['(root)']);
  });

  it('returns the value with defaults applied', () => {
    const result = validateServiceInput('llm_inference', { model: 'llama-7b', prompt: 'p' });
    expect(result.ok && result.value).toMatchObject({ max_tokens: 256, stream: false });
  });
});

describe('planServiceJob', () => {
  it('gathers payload, constraints, timeout and price in one call', () => {
    const plan = planServiceJob('llm_inference', {
      model: 'llama-70b',
      prompt: 'p',
      max_tokens: 100,
    });
    expect(plan).toMatchObject({
      ok: true,
      payload: { model: 'llama-70b', max_tokens: 100, temperature: 0.7 },
      constraints: { gpu: 'nvidia', min_vram_gb: 64, cuda: '11.8' },
      timeout_seconds: 300,
      estimated_price: 0.1,
    });
  });

  it('derived constraints match by meaning against real miners', () => {
    const a100 = toProfile({ gpus: [{ model: 'NVIDIA A100', vram_gb: 80 }], cuda: '12.2' });
    const rtx4090 = toProfile({ gpus: [{ model: 'RTX 4090', vram_gb: 24 }], cuda: '12.4' });
    const radeon = toProfile({ gpus: [{ model: 'Radeon RX 7900 XTX', vram_gb: 24 }] });
    const need = (id: string, payload: object) => {
      const plan = planServiceJob(id, payload);
      if (!plan.ok) throw new Error(JSON.stringify(plan.issues));
      return toRequirements(plan.constraints);
    };
    const llama70 = need('llm_inference', { model: 'llama-70b', prompt: 'p' });
    expect([a100, rtx4090, radeon].map((m) => matches(llama70, m))).toEqual([true, false, false]);
    const vp9 = need('video_transcoding', { input_url: 'https://example.com/a.mov', codec: 'vp9' });
    expect(matches(vp9, radeon)).toBe(true);
    const h264 = need('video_transcoding', { input_url: 'https://example.com/a.mov' });
    expect(matches(h264, radeon)).toBe(false);
    const isaac = need('simulation_testing', {
      scenario_url: 'https://example.com/s.zip',
      simulator: 'isaac_sim',
    });
    expect([a100, rtx4090].map((m) => matches(isaac, m))).toEqual([false, true]);
  });
});

describe('serviceJsonSchema', () => {
  it('is undefined for an unknown service', () => {
    expect(serviceJsonSchema('nope')).toBeUndefined();
  });

  it('describes the inputs with required fields, defaults and no extra keys', () => {
    const schema = serviceJsonSchema('3d_rendering') as Record<string, unknown> & {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      title: '3D rendering',
      required: ['blend_file_url'],
      additionalProperties: false,
    });
    expect(schema.properties.samples).toMatchObject({ minimum: 1, maximum: 10000, default: 128 });
    expect(schema.properties.engine).toMatchObject({ enum: ['cycles', 'eevee', 'eevee-next'] });
  });
});
