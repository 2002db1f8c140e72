import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signatureHex,
  signatureMatches,
  signatureVerifier,
  signingString,
  signRequest,
} from './index.js';

const parts = {
  method: 'post',
  target: '/v1/jobs?x=1',
  timestamp: '1795000000',
  nonce: 'abcdefghijklmnop',
  body: '{"payload":{}}',
};

describe('request signing', () => {
  it('signs METHOD, target, timestamp, nonce and the body hash, one per line', () => {
    const bodyHash = createHash('sha256').update(parts.body).digest('hex');
    expect(signingString(parts)).toBe(
      `POST\n/v1/jobs?x=1\n1795000000\nabcdefghijklmnop\n${bodyHash}`,
    );
  });

  it('hashes an absent body as the empty string', () => {
    const empty = createHash('sha256').update('').digest('hex');
    expect(signingString({ ...parts, body: undefined }).endsWith(`\n${empty}`)).toBe(true);
  });

  it('is HMAC-SHA256 keyed by the API key (checked against node:crypto)', () => {
    const expected = createHmac('sha256', 'ck_secret').update(signingString(parts)).digest('hex');
    expect(signatureHex('ck_secret', parts)).toBe(expected);
  });

  it('produces the four headers, and the verifier accepts exactly what was signed', () => {
    const headers = signRequest({
      keyId: 'alice',
      secret: 'ck_secret',
      method: 'POST',
      target: parts.target,
      body: parts.body,
      now: 1_795_000_000_500,
    });
    expect(headers['x-api-key-id']).toBe('alice');
    expect(headers['x-timestamp']).toBe('1795000000');
    expect(headers['x-nonce']).toMatch(/^[0-9a-f]{32}$/);
    const signed = { ...parts, nonce: headers['x-nonce'] ?? '' };
    const signature = headers['x-signature'] ?? '';
    expect(signatureMatches('ck_secret', signed, signature)).toBe(true);
    expect(signatureMatches('ck_other', signed, signature)).toBe(false);
    expect(signatureMatches('ck_secret', { ...signed, body: '{"payload":{ }}' }, signature)).toBe(
      false,
    );
    expect(signatureMatches('ck_secret', { ...signed, target: '/v1/jobs' }, signature)).toBe(false);
    expect(signatureMatches('ck_secret', signed, signature.replace('v1=', 'v2='))).toBe(false);
  });

  it('signs bytes and the same text identically', () => {
    const asBytes = { ...parts, body: new TextEncoder().encode(parts.body) };
    expect(signatureHex('k', asBytes)).toBe(signatureHex('k', parts));
  });

  it('a verifier keyed once accepts what signRequest signed, again and again, and nothing else', () => {
    const verify = signatureVerifier('ck_secret');
    const header = `v1=${signatureHex('ck_secret', parts)}`;
    expect([verify(parts, header), verify(parts, header)]).toEqual([true, true]);
    expect(verify(parts, header.toUpperCase().replace('V1=', 'v1='))).toBe(true);
    expect(verify({ ...parts, nonce: 'bcdefghijklmnopq' }, header)).toBe(false);
    expect(verify(parts, header.replace('v1=', 'v2='))).toBe(false);
    expect(signatureVerifier('ck_other')(parts, header)).toBe(false);
  });
});
