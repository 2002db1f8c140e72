import { describe, expect, it } from 'vitest';
import {
  afterLostAttempt,
  canTransition,
  type Decision,
  decide,
  holdsLease,
  isTerminal,
  JOB_EVENT_TYPES,
  JOB_STATES,
  type JobEvent,
  type JobSnapshot,
  type JobState,
  sourcesOf,
  TERMINAL_STATES,
  TRANSITIONS,
} from './job-state.js';

type EventType = JobEvent['type'];

/** Time is an argument: every test reads the clock from here. */
const NOW = new Date('2026-03-01T12:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const SECOND = 1000;
const HOUR = 3600 * SECOND;

const LEASE = 'lease-1';
const MINER = 'miner-1';
const TIMEOUT_SECONDS = 600;

/** A snapshot whose fields are consistent with `state`; `overrides` win. */
function makeJob(overrides: Partial<JobSnapshot> = {}): JobSnapshot {
  const state = overrides.state ?? 'QUEUED';
  const queued: JobSnapshot = {
    state,
    attempt: 0,
    maxAttempts: 3,
    leaseId: null,
    assignedMinerId: null,
    leaseExpiresAt: null,
    expiresAt: at(HOUR),
    startedAt: null,
    timeoutSeconds: TIMEOUT_SECONDS,
  };
  const byState: Record<JobState, Partial<JobSnapshot>> = {
    QUEUED: {},
    RUNNING: {
      attempt: 1,
      leaseId: LEASE,
      assignedMinerId: MINER,
      leaseExpiresAt: at(30 * SECOND),
      startedAt: at(-60 * SECOND),
    },
    COMPLETED: { attempt: 1, assignedMinerId: MINER, startedAt: at(-60 * SECOND) },
    FAILED: { attempt: 1, assignedMinerId: MINER, startedAt: at(-60 * SECOND) },
    CANCELED: {},
    EXPIRED: { expiresAt: at(-SECOND) },
  };
  return { ...queued, ...byState[state], ...overrides, state };
}

/**
 * For each event, the fields that make it applicable apart from the state: a held, unexpired lease
 * for result/fail, an elapsed lease for lease_lost, an elapsed run timeout, an elapsed ttl, and an
 * unexpired ttl for claim. Attempts are left (1 of 3) so that retries go back to the queue.
 */
const APPLICABLE: Record<EventType, { job: Partial<JobSnapshot>; event: JobEvent }> = {
  claim: { job: { expiresAt: at(HOUR) }, event: { type: 'claim' } },
  result: {
    job: { leaseId: LEASE, assignedMinerId: MINER, leaseExpiresAt: at(30 * SECOND) },
    event: { type: 'result', leaseId: LEASE, minerId: MINER },
  },
  fail: {
    job: { attempt: 1, leaseId: LEASE, assignedMinerId: MINER, leaseExpiresAt: at(30 * SECOND) },
    event: { type: 'fail', leaseId: LEASE, minerId: MINER, retryable: true },
  },
  cancel: { job: {}, event: { type: 'cancel' } },
  lease_lost: {
    job: { attempt: 1, leaseId: LEASE, assignedMinerId: MINER, leaseExpiresAt: at(-SECOND) },
    event: { type: 'lease_lost' },
  },
  run_timeout: {
    job: { startedAt: at(-(TIMEOUT_SECONDS + 1) * SECOND), timeoutSeconds: TIMEOUT_SECONDS },
    event: { type: 'run_timeout' },
  },
  expire: { job: { expiresAt: at(-SECOND) }, event: { type: 'expire' } },
};

const go = (next: JobState, errorCode?: string): Decision =>
  errorCode === undefined ? { ok: true, next } : { ok: true, next, errorCode };
const LEASE_LOST: Decision = { ok: false, reason: 'LEASE_LOST' };
const TERMINAL: Decision = { ok: false, reason: 'JOB_TERMINAL' };
const NA: Decision = { ok: false, reason: 'NOT_APPLICABLE' };

/** The specification: what `decide` returns for every state × event, written out by hand. */
const EXPECTED: Record<JobState, Record<EventType, Decision>> = {
  QUEUED: {
    claim: go('RUNNING'),
    result: LEASE_LOST,
    fail: LEASE_LOST,
    cancel: go('CANCELED'),
    lease_lost: NA,
    run_timeout: NA,
    expire: go('EXPIRED'),
  },
  RUNNING: {
    claim: NA,
    result: go('COMPLETED'),
    fail: go('QUEUED'),
    cancel: go('CANCELED'),
    lease_lost: go('QUEUED'),
    run_timeout: go('FAILED', 'TIMEOUT'),
    expire: NA,
  },
  COMPLETED: {
    claim: TERMINAL,
    result: LEASE_LOST,
    fail: LEASE_LOST,
    cancel: TERMINAL,
    lease_lost: TERMINAL,
    run_timeout: TERMINAL,
    expire: TERMINAL,
  },
  FAILED: {
    claim: TERMINAL,
    result: LEASE_LOST,
    fail: LEASE_LOST,
    cancel: TERMINAL,
    lease_lost: TERMINAL,
    run_timeout: TERMINAL,
    expire: TERMINAL,
  },
  CANCELED: {
    claim: TERMINAL,
    result: LEASE_LOST,
    fail: LEASE_LOST,
    cancel: TERMINAL,
    lease_lost: TERMINAL,
    run_timeout: TERMINAL,
    expire: TERMINAL,
  },
  EXPIRED: {
    claim: TERMINAL,
    result: LEASE_LOST,
    fail: LEASE_LOST,
    cancel: TERMINAL,
    lease_lost: TERMINAL,
    run_timeout: TERMINAL,
    expire: TERMINAL,
  },
};

const PAIRS = JOB_STATES.flatMap((state) => JOB_EVENT_TYPES.map((type) => [state, type] as const));

function decideApplicable(state: JobState, type: EventType): Decision {
  const { job, event } = APPLICABLE[type];
  return decide(makeJob({ ...job, state }), event, NOW);
}

describe('states and events', () => {
  it('has exactly the documented states and events', () => {
    expect([...JOB_STATES]).toEqual([
      'QUEUED',
      'RUNNING',
      'COMPLETED',
      'FAILED',
      'CANCELED',
      'EXPIRED',
    ]);
    expect([...JOB_EVENT_TYPES]).toEqual([
      'claim',
      'result',
      'fail',
      'cancel',
      'lease_lost',
      'run_timeout',
      'expire',
    ]);
  });

  it('the expected table covers every state × event pair', () => {
    expect(PAIRS).toHaveLength(42);
    expect(Object.keys(EXPECTED).sort()).toEqual([...JOB_STATES].sort());
    for (const state of JOB_STATES) {
      expect(Object.keys(EXPECTED[state]).sort()).toEqual([...JOB_EVENT_TYPES].sort());
    }
  });

  it('TRANSITIONS is the documented diagram', () => {
    expect(TRANSITIONS).toEqual({
      QUEUED: ['RUNNING', 'CANCELED', 'EXPIRED'],
      RUNNING: ['COMPLETED', 'FAILED', 'CANCELED', 'QUEUED'],
      COMPLETED: [],
      FAILED: [],
      CANCELED: [],
      EXPIRED: [],
    });
  });
});

describe('decide over every state × event', () => {
  it.each(PAIRS)('%s + %s', (state, type) => {
    expect(decideApplicable(state, type)).toStrictEqual(EXPECTED[state][type]);
  });

  it('every ok decision of the table is an edge of TRANSITIONS', () => {
    const okPairs = PAIRS.filter(([state, type]) => decideApplicable(state, type).ok);
    expect(okPairs).toHaveLength(8);
    for (const [state, type] of okPairs) {
      const decision = decideApplicable(state, type);
      if (!decision.ok) throw new Error('unreachable');
      expect(canTransition(state, decision.next), `${state} --${type}--> ${decision.next}`).toBe(
        true,
      );
    }
  });

  it('the events reach every edge of TRANSITIONS', () => {
    const reached = new Set<string>();
    for (const [state, type] of PAIRS) {
      const decision = decideApplicable(state, type);
      if (decision.ok) reached.add(`${state}->${decision.next}`);
    }
    // RUNNING -> FAILED is reached by run_timeout in the table.
    expect([...reached].sort()).toEqual(
      [
        'QUEUED->RUNNING',
        'QUEUED->CANCELED',
        'QUEUED->EXPIRED',
        'RUNNING->COMPLETED',
        'RUNNING->FAILED',
        'RUNNING->CANCELED',
        'RUNNING->QUEUED',
      ].sort(),
    );
  });

  it('no ok decision leaves TRANSITIONS over a sweep of times, attempts and leases', () => {
    const offsets = [-HOUR, -SECOND, -1, 0, 1, SECOND, HOUR];
    const events: JobEvent[] = [
      { type: 'claim' },
      { type: 'result', leaseId: LEASE, minerId: MINER },
      { type: 'fail', leaseId: LEASE, minerId: MINER, retryable: true },
      { type: 'fail', leaseId: LEASE, minerId: MINER, retryable: false },
      { type: 'cancel' },
      { type: 'lease_lost' },
      { type: 'run_timeout' },
      { type: 'expire' },
    ];
    let okCount = 0;
    for (const state of JOB_STATES) {
      for (const offset of offsets) {
        for (const attempt of [0, 1, 3]) {
          const job = makeJob({
            state,
            attempt,
            leaseId: LEASE,
            assignedMinerId: MINER,
            leaseExpiresAt: at(offset),
            expiresAt: at(offset),
            startedAt: at(offset - TIMEOUT_SECONDS * SECOND),
          });
          for (const event of events) {
            const decision = decide(job, event, NOW);
            if (!decision.ok) continue;
            okCount++;
            expect(canTransition(state, decision.next), `${state} + ${event.type}`).toBe(true);
          }
        }
      }
    }
    expect(okCount).toBeGreaterThan(0);
  });
});

describe('terminal states', () => {
  it('are COMPLETED, FAILED, CANCELED and EXPIRED', () => {
    expect([...TERMINAL_STATES]).toEqual(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']);
    expect(JOB_STATES.filter(isTerminal)).toEqual(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']);
    expect(isTerminal('QUEUED')).toBe(false);
    expect(isTerminal('RUNNING')).toBe(false);
  });

  it.each(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'] as const)(
    '%s has no outgoing edge',
    (from) => {
      expect(TRANSITIONS[from]).toEqual([]);
      for (const to of JOB_STATES) expect(canTransition(from, to)).toBe(false);
    },
  );

  it.each(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'] as const)(
    'decide never moves %s, whatever the event and time',
    (state) => {
      for (const type of JOB_EVENT_TYPES) {
        const { job, event } = APPLICABLE[type];
        for (const offset of [-HOUR, -1, 0, 1, HOUR]) {
          const decision = decide(makeJob({ ...job, state }), event, at(offset));
          expect(decision.ok, `${state} + ${type} at ${offset}`).toBe(false);
        }
      }
    },
  );
});

describe('canTransition and sourcesOf', () => {
  it('allows only the diagram edges', () => {
    expect(canTransition('QUEUED', 'RUNNING')).toBe(true);
    expect(canTransition('RUNNING', 'QUEUED')).toBe(true);
    expect(canTransition('QUEUED', 'COMPLETED')).toBe(false);
    expect(canTransition('QUEUED', 'FAILED')).toBe(false);
    expect(canTransition('RUNNING', 'EXPIRED')).toBe(false);
    expect(canTransition('QUEUED', 'QUEUED')).toBe(false);
    expect(canTransition('RUNNING', 'RUNNING')).toBe(false);
  });

  it.each([
    ['QUEUED', ['RUNNING']],
    ['RUNNING', ['QUEUED']],
    ['COMPLETED', ['RUNNING']],
    ['FAILED', ['RUNNING']],
    ['CANCELED', ['QUEUED', 'RUNNING']],
    ['EXPIRED', ['QUEUED']],
  ] as const)('sourcesOf(%s) = %j', (to, sources) => {
    expect(sourcesOf(to)).toEqual(sources);
  });
});

describe('lease fencing (result and fail)', () => {
  const leaseEvents = [
    { type: 'result', leaseId: LEASE, minerId: MINER },
    { type: 'fail', leaseId: LEASE, minerId: MINER, retryable: false },
  ] as const;

  it.each(leaseEvents)('$type with the held lease is accepted', (event) => {
    const expected = event.type === 'result' ? go('COMPLETED') : go('FAILED');
    expect(decide(makeJob({ state: 'RUNNING' }), event, NOW)).toStrictEqual(expected);
  });

  it.each(leaseEvents)('$type with a wrong lease id → LEASE_LOST', (event) => {
    const job = makeJob({ state: 'RUNNING', leaseId: 'lease-2' });
    expect(decide(job, event, NOW)).toStrictEqual(LEASE_LOST);
    expect(
      decide(makeJob({ state: 'RUNNING' }), { ...event, leaseId: 'lease-0' }, NOW),
    ).toStrictEqual(LEASE_LOST);
  });

  it.each(leaseEvents)('$type from another miner → LEASE_LOST', (event) => {
    expect(
      decide(makeJob({ state: 'RUNNING' }), { ...event, minerId: 'miner-2' }, NOW),
    ).toStrictEqual(LEASE_LOST);
  });

  it.each(leaseEvents)('$type with the lease expiring exactly at now → LEASE_LOST', (event) => {
    const job = makeJob({ state: 'RUNNING', leaseExpiresAt: at(0) });
    expect(decide(job, event, NOW)).toStrictEqual(LEASE_LOST);
  });

  it.each(leaseEvents)('$type with the lease expiring 1 ms after now is accepted', (event) => {
    const job = makeJob({ state: 'RUNNING', leaseExpiresAt: at(1) });
    expect(decide(job, event, NOW).ok).toBe(true);
  });

  it.each(leaseEvents)('$type with no lease expiry recorded → LEASE_LOST', (event) => {
    const job = makeJob({ state: 'RUNNING', leaseExpiresAt: null });
    expect(decide(job, event, NOW)).toStrictEqual(LEASE_LOST);
  });

  it.each(leaseEvents)('$type on a job that is not RUNNING → LEASE_LOST', (event) => {
    for (const state of ['QUEUED', 'COMPLETED', 'CANCELED'] as const) {
      // Lease fields still set (e.g. a stale row read): the state alone fences the write.
      const job = makeJob({
        state,
        leaseId: LEASE,
        assignedMinerId: MINER,
        leaseExpiresAt: at(30 * SECOND),
      });
      expect(decide(job, event, NOW), state).toStrictEqual(LEASE_LOST);
    }
  });

  it('holdsLease checks state, lease id, miner and expiry', () => {
    const job = makeJob({ state: 'RUNNING' });
    expect(holdsLease(job, LEASE, MINER, NOW)).toBe(true);
    expect(holdsLease(job, 'other', MINER, NOW)).toBe(false);
    expect(holdsLease(job, LEASE, 'other', NOW)).toBe(false);
    expect(holdsLease(job, LEASE, MINER, at(30 * SECOND))).toBe(false);
    expect(holdsLease(job, LEASE, MINER, at(30 * SECOND - 1))).toBe(true);
    expect(holdsLease({ ...job, state: 'QUEUED' }, LEASE, MINER, NOW)).toBe(false);
  });
});

describe('fail', () => {
  const fail = (retryable: boolean): JobEvent => ({
    type: 'fail',
    leaseId: LEASE,
    minerId: MINER,
    retryable,
  });

  it('retryable with attempts left → QUEUED', () => {
    expect(
      decide(makeJob({ state: 'RUNNING', attempt: 1, maxAttempts: 3 }), fail(true), NOW),
    ).toStrictEqual(go('QUEUED'));
    expect(
      decide(makeJob({ state: 'RUNNING', attempt: 2, maxAttempts: 3 }), fail(true), NOW),
    ).toStrictEqual(go('QUEUED'));
  });

  it('retryable on the last attempt (attempt === maxAttempts) → FAILED', () => {
    expect(
      decide(makeJob({ state: 'RUNNING', attempt: 3, maxAttempts: 3 }), fail(true), NOW),
    ).toStrictEqual(go('FAILED'));
    expect(
      decide(makeJob({ state: 'RUNNING', attempt: 1, maxAttempts: 1 }), fail(true), NOW),
    ).toStrictEqual(go('FAILED'));
  });

  it('non-retryable → FAILED even with attempts left', () => {
    expect(
      decide(makeJob({ state: 'RUNNING', attempt: 1, maxAttempts: 3 }), fail(false), NOW),
    ).toStrictEqual(go('FAILED'));
  });

  it('afterLostAttempt requeues while attempt < maxAttempts', () => {
    expect(afterLostAttempt({ attempt: 1, maxAttempts: 3 })).toBe('QUEUED');
    expect(afterLostAttempt({ attempt: 2, maxAttempts: 3 })).toBe('QUEUED');
    expect(afterLostAttempt({ attempt: 3, maxAttempts: 3 })).toBe('FAILED');
    expect(afterLostAttempt({ attempt: 1, maxAttempts: 1 })).toBe('FAILED');
  });
});

describe('lease_lost', () => {
  const expiredLease = { state: 'RUNNING', leaseExpiresAt: at(-SECOND) } as const;

  it('with attempts left → QUEUED, without an error code', () => {
    const job = makeJob({ ...expiredLease, attempt: 2, maxAttempts: 3 });
    expect(decide(job, { type: 'lease_lost' }, NOW)).toStrictEqual({ ok: true, next: 'QUEUED' });
  });

  it('without attempts left → FAILED with LEASE_EXPIRED', () => {
    const job = makeJob({ ...expiredLease, attempt: 3, maxAttempts: 3 });
    expect(decide(job, { type: 'lease_lost' }, NOW)).toStrictEqual({
      ok: true,
      next: 'FAILED',
      errorCode: 'LEASE_EXPIRED',
    });
  });

  it('applies when the lease expires exactly at now, not 1 ms before it does', () => {
    expect(
      decide(makeJob({ state: 'RUNNING', leaseExpiresAt: at(0) }), { type: 'lease_lost' }, NOW),
    ).toStrictEqual(go('QUEUED'));
    expect(
      decide(makeJob({ state: 'RUNNING', leaseExpiresAt: at(1) }), { type: 'lease_lost' }, NOW),
    ).toStrictEqual(NA);
  });

  it('does not apply to a RUNNING job without a lease expiry', () => {
    const job = makeJob({ state: 'RUNNING', leaseExpiresAt: null });
    expect(decide(job, { type: 'lease_lost' }, NOW)).toStrictEqual(NA);
  });
});

describe('run_timeout', () => {
  const startedAt = at(-TIMEOUT_SECONDS * SECOND);

  it('deadline exactly at now → FAILED with TIMEOUT', () => {
    const job = makeJob({ state: 'RUNNING', startedAt, timeoutSeconds: TIMEOUT_SECONDS });
    expect(decide(job, { type: 'run_timeout' }, NOW)).toStrictEqual(go('FAILED', 'TIMEOUT'));
  });

  it('1 ms before the deadline → not applicable', () => {
    const job = makeJob({ state: 'RUNNING', startedAt, timeoutSeconds: TIMEOUT_SECONDS });
    expect(decide(job, { type: 'run_timeout' }, at(-1))).toStrictEqual(NA);
  });

  it('fails the job even with attempts left', () => {
    const job = makeJob({ state: 'RUNNING', attempt: 1, maxAttempts: 5, startedAt });
    expect(decide(job, { type: 'run_timeout' }, NOW)).toStrictEqual(go('FAILED', 'TIMEOUT'));
  });

  it('does not apply without a start time', () => {
    const job = makeJob({ state: 'RUNNING', startedAt: null });
    expect(decide(job, { type: 'run_timeout' }, at(365 * 24 * HOUR))).toStrictEqual(NA);
  });
});

describe('claim and expire around the ttl', () => {
  it('claim of a QUEUED job whose expiresAt <= now is not applicable', () => {
    expect(decide(makeJob({ expiresAt: at(0) }), { type: 'claim' }, NOW)).toStrictEqual(NA);
    expect(decide(makeJob({ expiresAt: at(-HOUR) }), { type: 'claim' }, NOW)).toStrictEqual(NA);
    expect(decide(makeJob({ expiresAt: at(1) }), { type: 'claim' }, NOW)).toStrictEqual(
      go('RUNNING'),
    );
  });

  it('expire applies from expiresAt on (inclusive)', () => {
    expect(decide(makeJob({ expiresAt: at(0) }), { type: 'expire' }, NOW)).toStrictEqual(
      go('EXPIRED'),
    );
    expect(decide(makeJob({ expiresAt: at(1) }), { type: 'expire' }, NOW)).toStrictEqual(NA);
  });

  it('at any instant exactly one of claim and expire applies to a QUEUED job', () => {
    for (const offset of [-HOUR, -1, 0, 1, HOUR]) {
      const job = makeJob({ expiresAt: at(offset) });
      const claim = decide(job, { type: 'claim' }, NOW).ok;
      const expire = decide(job, { type: 'expire' }, NOW).ok;
      expect(claim !== expire, `offset ${offset}`).toBe(true);
      expect(claim).toBe(offset > 0);
    }
  });

  it('a RUNNING job whose ttl has passed is neither claimed nor expired', () => {
    const job = makeJob({ state: 'RUNNING', expiresAt: at(-HOUR) });
    expect(decide(job, { type: 'expire' }, NOW)).toStrictEqual(NA);
    expect(decide(job, { type: 'claim' }, NOW)).toStrictEqual(NA);
  });
});
