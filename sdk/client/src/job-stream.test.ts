import type { JobStreamEvent as ContractEvent } from '@aitbc/contracts';
import { describe, expect, it } from 'vitest';
import type { JobStreamEvent } from './job-stream.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('JobStreamEvent', () => {
  it('is the contract type, written out', () => {
    const same: Same<JobStreamEvent, ContractEvent> = true;
    expect(same).toBe(true);
  });
});
