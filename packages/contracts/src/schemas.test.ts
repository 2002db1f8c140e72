import { describe, expect, it } from 'vitest';
import { APP_ERROR_CODES, APP_ERROR_STATUS, AppError, isAppError } from './errors.js';
import { Limit, PageQuery } from './schemas/common.js';
import { JobConstraints, Version } from './schemas/constraints.js';
import { SubmitJobInput } from './schemas/jobs.js';
import { JobMetrics, RegisterMinerInput } from './schemas/miners.js';

/** The issues of a failed parse as `path: code`, to assert which field failed and why. */
function issuesOf(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; code: string }[] };
}) {
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.code}`);
}

describe('SubmitJobInput', () => {
  it('accepts a minimal { payload: {} } and adds nothing', () => {
    const r = SubmitJobInput.safeParse({ payload: {} });
    expect(r.success).toBe(true);
    expect(r.data).toEqual({ payload: {} });
  });

  it('accepts a full input and trims the service', () => {
    const input = {
      service: '  txt2img ',
      payload: { prompt: 'a cat' },
      constraints: { gpu: 'nvidia', min_vram_gb: 16, cuda: '12.4', models: ['sdxl'] },
      ttl_seconds: 60,
      timeout_seconds: 600,
      priority: -5,
      max_attempts: 3,
    };
    expect(SubmitJobInput.parse(input)).toEqual({ ...input, service: 'txt2img' });
  });

  it('requires an object payload', () => {
    expect(issuesOf(SubmitJobInput.safeParse({}))).toEqual(['payload: invalid_type']);
    expect(issuesOf(SubmitJobInput.safeParse({ payload: [] }))).toEqual(['payload: invalid_type']);
  });

  it('rejects unknown top-level fields (strict)', () => {
    expect(issuesOf(SubmitJobInput.safeParse({ payload: {}, prioirty: 1 }))).toEqual([
      ': unrecognized_keys',
    ]);
  });

  it('rejects unknown constraint fields', () => {
    expect(
      issuesOf(SubmitJobInput.safeParse({ payload: {}, constraints: { gpu: 'any', vram: 16 } })),
    ).toEqual(['constraints: unrecognized_keys']);
    expect(JobConstraints.safeParse({ min_vram: 16 }).success).toBe(false);
  });

  it('rejects a negative or zero ttl', () => {
    expect(issuesOf(SubmitJobInput.safeParse({ payload: {}, ttl_seconds: -1 }))).toEqual([
      'ttl_seconds: too_small',
    ]);
    expect(issuesOf(SubmitJobInput.safeParse({ payload: {}, ttl_seconds: 0 }))).toEqual([
      'ttl_seconds: too_small',
    ]);
    expect(SubmitJobInput.safeParse({ payload: {}, ttl_seconds: 1 }).success).toBe(true);
  });

  it('rejects a non-integer priority', () => {
    expect(issuesOf(SubmitJobInput.safeParse({ payload: {}, priority: 1.5 }))).toEqual([
      'priority: invalid_type',
    ]);
    expect(SubmitJobInput.safeParse({ payload: {}, priority: -1000 }).success).toBe(true);
    expect(SubmitJobInput.safeParse({ payload: {}, priority: 1001 }).success).toBe(false);
  });

  it('rejects max_attempts 0 and accepts 1', () => {
    expect(issuesOf(SubmitJobInput.safeParse({ payload: {}, max_attempts: 0 }))).toEqual([
      'max_attempts: too_small',
    ]);
    expect(SubmitJobInput.safeParse({ payload: {}, max_attempts: 1 }).success).toBe(true);
  });

  it('rejects a non-positive min_vram_gb and a negative max_price', () => {
    expect(
      issuesOf(SubmitJobInput.safeParse({ payload: {}, constraints: { min_vram_gb: 0 } })),
    ).toEqual(['constraints.min_vram_gb: too_small']);
    expect(
      issuesOf(SubmitJobInput.safeParse({ payload: {}, constraints: { max_price: -1 } })),
    ).toEqual(['constraints.max_price: too_small']);
    expect(JobConstraints.safeParse({ max_price: 0 }).success).toBe(true);
  });
});

describe('Limit', () => {
  it('coerces a query string', () => {
    expect(Limit.parse('5')).toBe(5);
    expect(Limit.parse('100')).toBe(100);
    expect(Limit.parse(1)).toBe(1);
  });

  it('defaults to 20', () => {
    expect(Limit.parse(undefined)).toBe(20);
    expect(PageQuery.parse({})).toEqual({ limit: 20 });
  });

  it('rejects 0, 101, fractions and non-numbers', () => {
    for (const bad of [0, '0', 101, '101', 2.5, 'abc', -1]) {
      expect(Limit.safeParse(bad).success, String(bad)).toBe(false);
    }
  });
});

describe('Version', () => {
  it.each(['12', '12.4', '12.4.1', '0', '1234.5678.9'])('accepts %j', (v) => {
    expect(Version.safeParse(v).success).toBe(true);
  });

  it.each(['12.', 'v12', '1.2.3.4', '', '.4', '12..4', '12.4-rc1', ' 12', '12345'])(
    'rejects %j',
    (v) => {
      expect(Version.safeParse(v).success).toBe(false);
    },
  );
});

describe('RegisterMinerInput', () => {
  const capabilities = { gpus: [{ model: 'RTX 4090', vram_gb: 24 }] };

  it('requires concurrency ≥ 1', () => {
    expect(RegisterMinerInput.safeParse({ capabilities, concurrency: 1 }).success).toBe(true);
    expect(issuesOf(RegisterMinerInput.safeParse({ capabilities, concurrency: 0 }))).toEqual([
      'concurrency: too_small',
    ]);
    expect(issuesOf(RegisterMinerInput.safeParse({ capabilities, concurrency: -1 }))).toEqual([
      'concurrency: too_small',
    ]);
    expect(issuesOf(RegisterMinerInput.safeParse({ capabilities }))).toEqual([
      'concurrency: invalid_type',
    ]);
  });

  it('accepts a CPU-only miner and rejects unknown capability fields', () => {
    expect(
      RegisterMinerInput.safeParse({ capabilities: { gpus: [] }, concurrency: 2 }).success,
    ).toBe(true);
    expect(
      issuesOf(
        RegisterMinerInput.safeParse({ capabilities: { gpus: [], ram_gb: 64 }, concurrency: 2 }),
      ),
    ).toEqual(['capabilities: unrecognized_keys']);
  });
});

describe('JobMetrics', () => {
  it('accepts the known metrics and extra scalar metrics', () => {
    const metrics = {
      units: 12.5,
      unit_type: 'gpu_seconds',
      price: 0.3,
      tokens: 512,
      model: 'sdxl',
      cached: false,
    };
    expect(JobMetrics.parse(metrics)).toEqual(metrics);
  });

  it('refuses nested objects, arrays and null as extra metrics', () => {
    expect(issuesOf(JobMetrics.safeParse({ nested: { a: 1 } }))).toEqual(['nested: invalid_union']);
    expect(JobMetrics.safeParse({ list: [1, 2] }).success).toBe(false);
    expect(JobMetrics.safeParse({ nothing: null }).success).toBe(false);
  });

  it('validates the known metrics', () => {
    expect(issuesOf(JobMetrics.safeParse({ units: -1 }))).toEqual(['units: too_small']);
    expect(JobMetrics.safeParse({ unit_type: '' }).success).toBe(false);
  });

  it('allows at most 32 metrics', () => {
    const metrics = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, i]));
    expect(JobMetrics.safeParse(metrics(32)).success).toBe(true);
    expect(issuesOf(JobMetrics.safeParse(metrics(33)))).toEqual([': custom']);
  });
});

describe('APP_ERROR_STATUS', () => {
  it('maps every AppErrorCode', () => {
    expect([...APP_ERROR_CODES].sort()).toEqual(
      [
        'VALIDATION_FAILED',
        'MALFORMED_REQUEST',
        'UNAUTHENTICATED',
        'SIGNATURE_EXPIRED',
        'SIGNATURE_REPLAYED',
        'SIGNATURE_INVALID',
        'FORBIDDEN',
        'NOT_FOUND',
        'METHOD_NOT_ALLOWED',
        'UNSUPPORTED_MEDIA_TYPE',
        'JOB_TERMINAL',
        'JOB_NOT_READY',
        'LEASE_LOST',
        'MINER_NOT_REGISTERED',
        'IDEMPOTENCY_KEY_REUSED',
        'PAYLOAD_TOO_LARGE',
        'RATE_LIMITED',
        'QUEUE_LIMIT',
        'NOT_READY',
        'INTERNAL',
      ].sort(),
    );
    for (const code of APP_ERROR_CODES) {
      const status = APP_ERROR_STATUS[code];
      expect(Number.isInteger(status), code).toBe(true);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });

  it.each([
    ['VALIDATION_FAILED', 400],
    ['UNAUTHENTICATED', 401],
    ['SIGNATURE_EXPIRED', 401],
    ['SIGNATURE_REPLAYED', 401],
    ['SIGNATURE_INVALID', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['LEASE_LOST', 409],
    ['JOB_TERMINAL', 409],
    ['JOB_NOT_READY', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['RATE_LIMITED', 429],
    ['NOT_READY', 503],
    ['INTERNAL', 500],
  ] as const)('%s → %i', (code, status) => {
    expect(APP_ERROR_STATUS[code]).toBe(status);
    expect(new AppError(code, 'x').status).toBe(status);
  });

  it('AppError carries its code and issues and is recognized by isAppError', () => {
    const err = new AppError('VALIDATION_FAILED', 'bad', [
      { path: 'payload', message: 'required' },
    ]);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('AppError');
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.message).toBe('bad');
    expect(err.issues).toEqual([{ path: 'payload', message: 'required' }]);
    expect(isAppError(err)).toBe(true);
    expect(isAppError(new Error('bad'))).toBe(false);
    expect(isAppError({ code: 'NOT_FOUND', status: 404 })).toBe(false);
  });
});
