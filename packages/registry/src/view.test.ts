import { describe, expect, it } from 'vitest';
import { getService, SERVICES } from './catalog.js';
import { ListServicesQuery, ServiceView, toServiceView, typedEndpointViews } from './view.js';

describe('toServiceView', () => {
  it.each(SERVICES)('$id is plain JSON in the wire shape', (service) => {
    const view = toServiceView(service);
    expect(ServiceView.parse(view)).toEqual(view);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(Object.keys(view)).not.toContain('input');
    expect(Object.keys(view)).not.toContain('input_schema');
  });

  it('links a service to its typed endpoint', () => {
    const blender = getService('3d_rendering');
    const graph = getService('graph_analytics');
    if (!blender || !graph) throw new Error('missing services');
    expect(toServiceView(blender).typed_endpoint).toBe('/v1/services/blender/render');
    expect(toServiceView(graph).typed_endpoint).toBeNull();
  });

  it('does not share arrays with the definition', () => {
    const service = getService('llm_inference');
    if (!service) throw new Error('missing service');
    const view = toServiceView(service);
    view.tags.push('mutated');
    view.requirements.pop();
    expect(service.tags).not.toContain('mutated');
    expect(toServiceView(service).requirements).toHaveLength(service.requirements.length);
  });
});

describe('typedEndpointViews', () => {
  it('lists service, method, path and description only', () => {
    const views = typedEndpointViews();
    expect(views).toHaveLength(5);
    expect(views[0]).toEqual({
      service: 'whisper/transcribe',
      method: 'POST',
      path: '/v1/services/whisper/transcribe',
      description: 'Transcribe or translate audio with Whisper',
    });
  });
});

describe('ListServicesQuery', () => {
  it('accepts a known category and a search, and refuses an unknown category', () => {
    expect(ListServicesQuery.parse({ category: 'ai_ml', search: ' llm ' })).toEqual({
      category: 'ai_ml',
      search: 'llm',
    });
    expect(ListServicesQuery.safeParse({ category: 'crypto_mining' }).success).toBe(false);
  });
});
