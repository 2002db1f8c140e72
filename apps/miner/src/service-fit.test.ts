import { describe, expect, it } from 'vitest';
import { unmetRequirement } from './service-fit.js';

const RTX_4090 = { gpus: [{ model: 'NVIDIA GeForce RTX 4090', vram_gb: 24 }], cuda: '12.4' };

describe('unmetRequirement', () => {
  it('is null when the registry requirements are met', () => {
    expect(unmetRequirement('video_transcoding', RTX_4090)).toBeNull();
    expect(unmetRequirement('llm_inference', RTX_4090)).toBeNull();
  });

  it('names the first requirement a machine without a GPU fails', () => {
    expect(unmetRequirement('video_transcoding', { gpus: [] })).toBe('gpu');
    expect(unmetRequirement('llm_inference', { gpus: [] })).toBe('gpu');
  });

  it('names cuda for an NVIDIA GPU whose driver is too old for the LLM service', () => {
    expect(unmetRequirement('llm_inference', { ...RTX_4090, cuda: '11.4' })).toBe('cuda');
  });

  it('is null for ids the registry does not know', () => {
    expect(unmetRequirement('echo', { gpus: [] })).toBeNull();
  });
});
