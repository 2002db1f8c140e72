import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './support/inject.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('security headers and CORS', () => {
  let open: TestApp;
  let cors: TestApp;
  beforeAll(async () => {
    open = await startTestApp();
    cors = await startTestApp({
      CORS_ORIGINS: 'https://app.example.com, https://ops.example.com/',
    });
  });
  afterAll(async () => {
    await open?.close();
    await cors?.close();
  });

  it('sends nosniff, no framing and no-store on API answers, errors included', async () => {
    for (const url of ['/v1/health', '/v1/jobs', '/trpc/receipts.keys', '/nowhere']) {
      const res = await send(open, 'GET', url, { key: 'alice' });
      expect([url, res.headers['x-content-type-options']]).toEqual([url, 'nosniff']);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    const docs = await send(open, 'GET', '/docs/');
    expect(docs.headers['content-security-policy']).toBe("frame-ancestors 'none'");
  });

  it('sends no CORS headers unless CORS_ORIGINS names the origin', async () => {
    const origin = { origin: 'https://app.example.com' };
    const none = await send(open, 'GET', '/v1/health', { headers: origin });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await send(cors, 'GET', '/v1/health', { headers: origin });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-expose-headers']).toContain('ratelimit-remaining');
    const other = await send(cors, 'GET', '/v1/health', {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight from an allowed origin with the signing headers allowed', async () => {
    const preflight = await send(cors, 'OPTIONS', '/v1/jobs', {
      headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('x-signature');
    const refused = await send(open, 'OPTIONS', '/v1/jobs', {
      headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'POST' },
    });
    expect(refused.statusCode).toBe(404);
  });
});
