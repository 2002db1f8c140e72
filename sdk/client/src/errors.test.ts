import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { AitbcError, toAitbcError } from './errors.js';

/** A tRPC error answer as the coordinator sends it (see errorFormatter in the server). */
function trpcError(data: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = new Response(null, { status: Number(data.httpStatus ?? 500), headers });
  return TRPCClientError.from(
    { error: { code: -32600, message: 'bad input', data } },
    { meta: { response } },
  );
}

describe('toAitbcError', () => {
  it("keeps the server's code, status and issues", () => {
    const error = toAitbcError(
      trpcError({
        code: 'VALIDATION_FAILED',
        httpStatus: 400,
        path: 'jobs.submit',
        issues: [{ path: 'payload', message: 'expected record' }],
      }),
    );
    expect(error).toBeInstanceOf(AitbcError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, message: 'bad input' });
    expect(error.issues).toEqual([{ path: 'payload', message: 'expected record' }]);
  });

  it('reads Retry-After of a rate-limited answer', () => {
    const error = toAitbcError(
      trpcError({ code: 'RATE_LIMITED', httpStatus: 429 }, { 'retry-after': '7' }),
    );
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 7 });
  });

  it('returns an AitbcError raised inside the transport as it was', () => {
    const inner = new AitbcError({ code: 'REQUEST_TIMEOUT', status: 0, message: 'slow' });
    expect(toAitbcError(TRPCClientError.from(inner))).toBe(inner);
    expect(toAitbcError(inner)).toBe(inner);
  });

  it('maps a timeout while reading the answer to REQUEST_TIMEOUT', () => {
    const timeout = new DOMException('timed out', 'TimeoutError');
    expect(toAitbcError(TRPCClientError.from(timeout)).code).toBe('REQUEST_TIMEOUT');
  });

  it('maps anything else to NETWORK_ERROR with status 0', () => {
    const error = toAitbcError(new TypeError('fetch failed'));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0, message: 'fetch failed' });
    expect(toAitbcError(TRPCClientError.from(new SyntaxError('not json')))).toMatchObject({
      code: 'NETWORK_ERROR',
      status: 0,
    });
  });
});
