import { toRequirements } from '@aitbc/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServiceContext } from './context.js';
import { EventRelay } from './event-relay.js';

const REQUIREMENTS = toRequirements(undefined);

/** A relay on a channel that records what it sends and echoes it back, as both channels do. */
function relayOnFakeChannel() {
  const remoteJobQueued = vi.fn();
  const ctx = {
    signal: { remoteJobQueued, remoteSlotFreed: vi.fn() },
    push: { jobCanceled: vi.fn() },
    events: { wants: () => false },
    log: { warn: vi.fn() },
  } as unknown as ServiceContext;
  const relay = new EventRelay(ctx);
  const sent: string[] = [];
  relay.channel = {
    async send(payloads) {
      sent.push(...payloads);
      for (const p of payloads) void relay.receive(p);
    },
    async close() {},
  };
  return { relay, sent, remoteJobQueued };
}

const other = (message: object) => JSON.stringify({ i: 'another-instance', ...message });

describe('EventRelay', () => {
  afterEach(() => vi.useRealTimers());

  it('sends nothing but its announcement while it is alone', async () => {
    const { relay, sent } = relayOnFakeChannel();
    await relay.announce(0);
    relay.jobQueued(REQUIREMENTS);
    relay.slotFreed('m1');
    relay.flush();
    expect(sent).toEqual([JSON.stringify({ i: relay.instanceId, h: 1 })]);
  });

  it('answers a newcomer, then relays, starting with what it kept while alone', async () => {
    const { relay, sent } = relayOnFakeChannel();
    await relay.announce(0);
    relay.jobQueued(REQUIREMENTS);
    relay.flush();
    await relay.receive(other({ h: 1 }));
    expect(sent).toContain(JSON.stringify({ i: relay.instanceId, h: 2 }));
    relay.flush();
    const relayed = sent.map((p) => JSON.parse(p)).find((m) => m.q);
    expect(relayed.q).toEqual([REQUIREMENTS]);
  });

  it('forgets what it kept while alone after two seconds', async () => {
    vi.useFakeTimers();
    const { relay, sent } = relayOnFakeChannel();
    relay.jobQueued(REQUIREMENTS);
    relay.flush();
    vi.advanceTimersByTime(2500);
    relay.slotFreed('m1');
    relay.flush();
    await relay.receive(other({ h: 2 }));
    relay.flush();
    const relayed = sent.map((p) => JSON.parse(p)).filter((m) => m.q || m.s);
    expect(relayed).toEqual([{ i: relay.instanceId, s: ['m1'] }]);
  });

  it('hands on what another instance relays', async () => {
    const { relay, remoteJobQueued } = relayOnFakeChannel();
    await relay.receive(other({ q: [REQUIREMENTS] }));
    expect(remoteJobQueued).toHaveBeenCalledWith(REQUIREMENTS);
    expect(relay.peers).toBe(true);
  });
});
