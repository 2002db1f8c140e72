import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, headersFor, type InjectOptions, send } from './support/inject.js';
import { KEYS, startTestApp, type TestApp } from './support/test-app.js';

/** Contract §8a over HTTP (Fastify inject): what a signature covers and every way it fails. */
describe('signed requests', () => {
  let t: TestApp;
  const job = JSON.stringify({ payload: { text: 'héllo', n: 1 } });
  const asAlice = (sign: InjectOptions['sign'] = {}): InjectOptions => ({
    signAs: 'alice',
    body: job,
    sign,
  });
  /** Sends `headers` and `payload` as given: a captured, altered or replayed request. */
  const resend = (url: string, headers: Record<string, string>, payload?: string | Buffer) =>
    t.app.http.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  const refusal = async (res: Promise<{ statusCode: number; json(): unknown }>) => {
    const r = await res;
    return `${r.statusCode} ${(r.json() as { code: string }).code}`;
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('accepts a signed submit without the key being sent, as the named principal', async () => {
    const headers = headersFor(t, 'POST', '/v1/jobs', asAlice());
    expect(Object.values(headers).join(' ')).not.toContain(KEYS.alice);
    const res = await resend('/v1/jobs', headers, job);
    expect(res.statusCode).toBe(201);
    const id = res.json<{ job_id: string }>().job_id;
    expect((await send(t, 'GET', `/v1/jobs/${id}`, { signAs: 'alice' })).statusCode).toBe(200);
    expect((await send(t, 'GET', `/v1/jobs/${id}`, { signAs: 'bob' })).statusCode).toBe(404);
  });

  it('signs the query string as part of the target', async () => {
    expect((await send(t, 'GET', '/v1/jobs?limit=2', { signAs: 'alice' })).statusCode).toBe(200);
    const headers = headersFor(t, 'GET', '/v1/jobs?limit=2', { signAs: 'alice' });
    expect(await refusal(resend('/v1/jobs?limit=3', headers))).toBe('401 SIGNATURE_INVALID');
  });

  it('refuses a replay inside the window with SIGNATURE_REPLAYED', async () => {
    const headers = headersFor(t, 'POST', '/v1/jobs', asAlice());
    expect((await resend('/v1/jobs', headers, job)).statusCode).toBe(201);
    t.clock.advance(60_000);
    expect(await refusal(resend('/v1/jobs', headers, job))).toBe('401 SIGNATURE_REPLAYED');
  });

  it('refuses a timestamp more than 300 s away with SIGNATURE_EXPIRED, either way', async () => {
    const now = t.clock.now().getTime();
    for (const skew of [-301_000, 302_000]) {
      const res = send(t, 'POST', '/v1/jobs', asAlice({ now: now + skew }));
      expect([skew, await refusal(res)]).toEqual([skew, '401 SIGNATURE_EXPIRED']);
    }
    const edge = await send(t, 'POST', '/v1/jobs', asAlice({ now: now - 299_000 }));
    expect(edge.statusCode).toBe(201);
  });

  it('refuses a body with one flipped byte with SIGNATURE_INVALID', async () => {
    const headers = headersFor(t, 'POST', '/v1/jobs', asAlice());
    const bytes = Buffer.from(job);
    bytes[bytes.lastIndexOf('n'.charCodeAt(0))] ^= 0x20; // "n" -> "N": still valid JSON
    expect(await refusal(resend('/v1/jobs', headers, bytes))).toBe('401 SIGNATURE_INVALID');
    // The refusal did not burn the nonce: the untouched request still goes through.
    expect((await resend('/v1/jobs', headers, job)).statusCode).toBe(201);
  });

  it('checks the raw bytes: the same JSON written differently is another body', async () => {
    const headers = headersFor(t, 'POST', '/v1/jobs', asAlice());
    const escaped = job.replace('é', '\\u00e9');
    expect(JSON.parse(escaped)).toEqual(JSON.parse(job));
    expect(await refusal(resend('/v1/jobs', headers, escaped))).toBe('401 SIGNATURE_INVALID');
  });

  it('refuses a wrong or unknown key id, or the wrong secret, with SIGNATURE_INVALID', async () => {
    for (const sign of [{ keyId: 'bob' }, { keyId: 'mallory' }, { secret: KEYS.bob }]) {
      const res = send(t, 'POST', '/v1/jobs', asAlice(sign));
      expect([sign, await refusal(res)]).toEqual([sign, '401 SIGNATURE_INVALID']);
    }
  });

  it('does not care about header order or the case of header names', async () => {
    const headers = headersFor(t, 'POST', '/v1/jobs', asAlice());
    const shuffled = Object.fromEntries(
      Object.entries(headers)
        .reverse()
        .map(([k, v], i) => [i % 2 ? k.toUpperCase() : k.replace(/^x/, 'X'), v]),
    );
    expect(Object.keys(shuffled)).not.toEqual(Object.keys(headers));
    expect((await resend('/v1/jobs', shuffled, job)).statusCode).toBe(201);
    expect(await refusal(resend('/v1/jobs', headers, job))).toBe('401 SIGNATURE_REPLAYED');
  });

  it('refuses a half-signed request (a signature header missing) with SIGNATURE_INVALID', async () => {
    for (const drop of ['x-timestamp', 'x-nonce', 'x-signature']) {
      const headers = headersFor(t, 'POST', '/v1/jobs', asAlice());
      delete headers[drop];
      expect([drop, await refusal(resend('/v1/jobs', headers, job))]).toEqual([
        drop,
        '401 SIGNATURE_INVALID',
      ]);
    }
    const shortNonce = send(t, 'POST', '/v1/jobs', asAlice({ nonce: 'short' }));
    expect(await refusal(shortNonce)).toBe('401 SIGNATURE_INVALID');
  });

  it('signs a tRPC batch as one HTTP request', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: { limit: 1 } }));
    const url = `/trpc/jobs.list,receipts.keys?batch=1&input=${input}`;
    const res = await send(t, 'GET', url, { signAs: 'alice' });
    expect(res.statusCode).toBe(200);
    expect(res.json<unknown[]>()).toHaveLength(2);
    const body = JSON.stringify({ 0: { payload: { via: 'trpc' } } });
    const headers = headersFor(t, 'POST', '/trpc/jobs.submit?batch=1', { signAs: 'alice', body });
    expect((await resend('/trpc/jobs.submit?batch=1', headers, body)).statusCode).toBe(200);
    const replay = await resend('/trpc/jobs.submit?batch=1', headers, body);
    expect(replay.statusCode).toBe(401);
    expect(JSON.stringify(replay.json())).toContain('SIGNATURE_REPLAYED');
  });

  it('forgets nonces once their window has passed (the sweeper prunes them)', async () => {
    await send(t, 'GET', '/v1/jobs', { signAs: 'alice' });
    t.clock.advance(661_000);
    const swept = await t.app.sweeper.runOnce();
    expect(swept.noncesPruned).toBeGreaterThan(0);
  });
});

describe('REQUIRE_SIGNED_REQUESTS=true', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REQUIRE_SIGNED_REQUESTS: 'true' });
  });
  afterAll(() => t?.close());

  it('refuses a request that sends its key instead of signing, on REST and tRPC', async () => {
    const list = `/trpc/jobs.list?input=${encodeURIComponent('{}')}`;
    const rest = await send(t, 'GET', '/v1/jobs', { key: 'alice' });
    expect([rest.statusCode, codeOf(rest)]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await send(t, 'GET', list, { key: 'alice' })).statusCode).toBe(401);
    expect((await send(t, 'GET', '/v1/jobs', { signAs: 'alice' })).statusCode).toBe(200);
    expect((await send(t, 'GET', list, { signAs: 'alice' })).statusCode).toBe(200);
  });

  it('keeps the routes without auth open', async () => {
    for (const url of [
      '/v1/health',
      '/v1/registry/services',
      '/v1/receipts/keys',
      '/openapi.json',
    ]) {
      const res = await send(t, 'GET', url, { key: 'alice' });
      expect([url, res.statusCode]).toEqual([url, 200]);
    }
  });
});
