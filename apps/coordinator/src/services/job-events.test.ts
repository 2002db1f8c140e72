import type { JobStreamEvent } from '@aitbc/contracts';
import { describe, expect, it } from 'vitest';
import { JobEventHub } from './job-events.js';

const event = (jobId: string): JobStreamEvent => ({
  event_id: '1',
  job_id: jobId,
  type: 'queued',
  state: 'QUEUED',
  at: '2026-11-28T00:00:00.000Z',
});

describe('JobEventHub.onWritten', () => {
  it('runs on events this instance wrote, not on relayed ones, and is not a watcher', () => {
    const hub = new JobEventHub();
    let written = 0;
    hub.onWritten(() => written++);
    hub.publish([event('j1')]);
    hub.deliver([event('j2')]); // from another instance, through the relay
    expect(written).toBe(1);
    // So the relay does not read other instances' events for it.
    expect(hub.wants('j2')).toBe(false);
    hub.subscribe('j2', { event: () => {}, end: () => {} });
    expect(hub.wants('j2')).toBe(true);
  });
});
