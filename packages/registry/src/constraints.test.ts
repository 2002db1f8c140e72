import { describe, expect, it } from 'vitest';
import { mergeConstraints, requirementsToConstraints } from './constraints.js';

describe('requirementsToConstraints', () => {
  it('maps GPU vendor, VRAM and CUDA; leaves CPU, RAM, storage and network out', () => {
    expect(
      requirementsToConstraints([
        { component: 'gpu', min: 'NVIDIA' },
        { component: 'vram', min: 8, recommended: 24, unit: 'GB' },
        { component: 'cuda', min: '11.8' },
        { component: 'cpu', min: 16, unit: 'cores' },
        { component: 'ram', min: 32, unit: 'GB' },
        { component: 'storage', min: 100, unit: 'GB' },
        { component: 'network', min: 100, unit: 'Mbps' },
      ]),
    ).toEqual({ gpu: 'nvidia', min_vram_gb: 8, cuda: '11.8' });
  });

  it('keeps "any" as any GPU', () => {
    expect(requirementsToConstraints([{ component: 'gpu', min: 'any' }])).toEqual({ gpu: 'any' });
  });

  it('converts VRAM given in MB or TB', () => {
    expect(requirementsToConstraints([{ component: 'vram', min: 2048, unit: 'MB' }])).toEqual({
      min_vram_gb: 2,
    });
    expect(requirementsToConstraints([{ component: 'vram', min: 1, unit: 'TB' }])).toEqual({
      min_vram_gb: 1024,
    });
  });

  it('refuses a VRAM requirement that is not an amount', () => {
    expect(() => requirementsToConstraints([{ component: 'vram', min: 'lots' }])).toThrow();
  });

  it('is empty without hardware needs', () => {
    expect(requirementsToConstraints([{ component: 'cpu', min: 4 }])).toEqual({});
  });
});

describe('mergeConstraints (stricter wins)', () => {
  it('takes the larger VRAM and the higher CUDA, compared as numbers', () => {
    expect(
      mergeConstraints({ min_vram_gb: 8, cuda: '12.10' }, { min_vram_gb: 4, cuda: '12.4' }),
    ).toEqual({ min_vram_gb: 8, cuda: '12.10' });
    expect(
      mergeConstraints({ min_vram_gb: 2, cuda: '11.8' }, { min_vram_gb: 64, cuda: '12' }),
    ).toEqual({
      min_vram_gb: 64,
      cuda: '12',
    });
  });

  it('takes the more specific GPU: any < vendor < model', () => {
    expect(mergeConstraints({ gpu: 'any' }, { gpu: 'nvidia' })).toEqual({ gpu: 'nvidia' });
    expect(mergeConstraints({ gpu: 'nvidia' }, { gpu: 'any' })).toEqual({ gpu: 'nvidia' });
    expect(mergeConstraints({ gpu: 'nvidia' }, { gpu: 'rtx' })).toEqual({ gpu: 'rtx' });
    expect(mergeConstraints({ gpu: 'rtx 4090' }, {})).toEqual({ gpu: 'rtx 4090' });
    expect(mergeConstraints({}, { gpu: 'any' })).toEqual({ gpu: 'any' });
  });

  it('unions models, keeps the lower price, prefers the second region', () => {
    expect(
      mergeConstraints(
        { models: ['a'], max_price: 5, region: 'eu' },
        { models: ['a', 'b'], max_price: 2, region: 'us' },
      ),
    ).toEqual({ models: ['a', 'b'], max_price: 2, region: 'us' });
    expect(mergeConstraints({ max_price: 0 }, {})).toEqual({ max_price: 0 });
  });

  it('leaves absent values absent', () => {
    expect(mergeConstraints({}, {})).toEqual({});
  });
});
