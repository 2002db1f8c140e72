import { SERVICES } from '@aitbc/registry';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAppError } from './support/fixtures.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('service registry (no key needed)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const anon = () => t.as(null).registry;

  it('lists every service, at least 30 distinct ids in all six categories', async () => {
    const { items } = await anon().list({});
    const ids = items.map((s) => s.id);
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(items.map((s) => s.category)).size).toBe(6);
    const llm = items.find((s) => s.id === 'llm_inference');
    expect(llm).toMatchObject({
      name: expect.any(String),
      category: 'ai_ml',
      version: expect.any(String),
      timeout_seconds: 300,
      max_concurrent: 2,
      typed_endpoint: '/v1/services/llm/inference',
    });
    expect(llm?.requirements).toContainEqual({ component: 'gpu', min: 'nvidia' });
    expect(llm?.pricing[0]).toMatchObject({ model: 'per_unit', currency: 'AITBC' });
  });

  it('filters by category and by search terms', async () => {
    const media = await anon().list({ category: 'media_processing' });
    expect(media.items.length).toBeGreaterThan(0);
    expect(media.items.every((s) => s.category === 'media_processing')).toBe(true);
    expect(media.items.map((s) => s.id)).toContain('3d_rendering');

    const whisper = await anon().list({ search: 'WHISPER speech' });
    expect(whisper.items.map((s) => s.id)).toEqual(['speech_recognition']);
    const both = await anon().list({ category: 'development_tools', search: 'whisper' });
    expect(both.items).toEqual([]);
  });

  it('refuses a category that is not one of the six with 400', async () => {
    const error = await expectAppError(
      anon().list({ category: 'cooking' as never }),
      'VALIDATION_FAILED',
    );
    expect(error.issues?.map((i) => i.path)).toEqual(['category']);
  });

  it('counts the services of each category', async () => {
    const { items } = await anon().categories();
    expect(items.map((c) => c.category).sort()).toEqual(
      [
        'ai_ml',
        'data_analytics',
        'development_tools',
        'gaming_entertainment',
        'media_processing',
        'scientific_computing',
      ].sort(),
    );
    for (const { category, count } of items)
      expect(count, category).toBe(SERVICES.filter((s) => s.category === category).length);
    expect(items.reduce((n, c) => n + c.count, 0)).toBe(SERVICES.length);
  });

  it('answers one service, its requirements and its pricing', async () => {
    const service = await anon().get({ id: 'molecular_dynamics' });
    expect(service.id).toBe('molecular_dynamics');
    const { requirements } = await anon().requirements({ id: 'molecular_dynamics' });
    expect(requirements).toEqual(service.requirements);
    expect(requirements).toContainEqual(
      expect.objectContaining({ component: 'vram', min: 16, unit: 'GB' }),
    );
    const { pricing } = await anon().pricing({ id: 'molecular_dynamics' });
    expect(pricing).toEqual(service.pricing);
    expect(pricing.length).toBeGreaterThan(0);
  });

  it('answers 404 NOT_FOUND for an unknown id on every per-service route', async () => {
    for (const route of ['get', 'schema', 'requirements', 'pricing'] as const)
      await expectAppError(anon()[route]({ id: 'no_such_service' }), 'NOT_FOUND');
  });

  it('publishes a JSON Schema that accepts the example and refuses a bad payload', async () => {
    // Formats (uri) are checked by zod; ajv without ajv-formats would only warn about them.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const id of ['speech_recognition', 'llm_inference', '3d_rendering', 'graph_analytics']) {
      const schema = await anon().schema({ id });
      expect(schema.$schema).toMatch(/2020-12/);
      const validate = ajv.compile(schema);
      const { example } = await anon().get({ id });
      expect(validate(example), `${id}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(validate({ ...example, custom_args: '--rm -rf' }), id).toBe(false);
    }
    const whisper = ajv.compile(await anon().schema({ id: 'speech_recognition' }));
    expect(whisper({ audio_url: 'ftp://example.com/a.mp3' })).toBe(false);
  });
});
