import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyToJwk } from './keys.js';
import { createNobleSigner } from './sign.js';
import { hexBytes, RFC8032_TEST1, RFC8032_TEST2 } from './test-fixtures.js';
import { base64Decode, base64Encode, signWebhook, verifyWebhook } from './webhook-signature.js';

const signer = createNobleSigner(RFC8032_TEST1.seed);
const other = createNobleSigner(RFC8032_TEST2.seed);
const published = { keys: [signer.jwk] };
const body = '{"event_id":"7","job_id":"j1","type":"completed","state":"COMPLETED"}';
const id = 'msg_0193a1b2c3d4';
const timestamp = 1_795_000_000;

function headersFor(sig = signWebhook(signer, id, timestamp, body)) {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sig };
}
const at = { nowSeconds: timestamp };

describe('signWebhook', () => {
  it('signs id.timestamp.body as Standard Webhooks v1a, checkable by node:crypto alone', () => {
    const header = signWebhook(signer, id, timestamp, body);
    expect(header).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const spki = Buffer.concat([
      Buffer.from('302a300506032b6570032100', 'hex'),
      hexBytes(RFC8032_TEST1.publicKey),
    ]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    const sig = Buffer.from(header.slice(4), 'base64');
    expect(verify(null, Buffer.from(`${id}.${timestamp}.${body}`), key, sig)).toBe(true);
  });
});

describe('verifyWebhook', () => {
  it('accepts a delivery signed by a published key', () => {
    expect(verifyWebhook(headersFor(), body, published, at)).toEqual({
      ok: true,
      id,
      timestamp,
      keyId: signer.keyId,
    });
  });

  it('reads a fetch Headers object and mixed-case header names', () => {
    expect(verifyWebhook(new Headers(headersFor()), body, published, at).ok).toBe(true);
    const upper = Object.fromEntries(
      Object.entries(headersFor()).map(([k, v]) => [k.toUpperCase(), v]),
    );
    expect(verifyWebhook(upper, body, published, at).ok).toBe(true);
  });

  it('refuses a changed body, id or timestamp', () => {
    const fail = { ok: false, reason: 'BAD_SIGNATURE' };
    expect(verifyWebhook(headersFor(), `${body} `, published, at)).toEqual(fail);
    expect(verifyWebhook({ ...headersFor(), 'webhook-id': 'msg_x' }, body, published, at)).toEqual(
      fail,
    );
    const later = { ...headersFor(), 'webhook-timestamp': String(timestamp + 1) };
    expect(verifyWebhook(later, body, published, at)).toEqual(fail);
  });

  it('refuses a signature by a key that is not published', () => {
    const forged = headersFor(signWebhook(other, id, timestamp, body));
    expect(verifyWebhook(forged, body, published, at)).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
    expect(verifyWebhook(headersFor(), body, { keys: [] }, at)).toEqual({
      ok: false,
      reason: 'UNTRUSTED_KEY',
    });
  });

  it('refuses a timestamp outside the tolerance (replays of old deliveries)', () => {
    expect(verifyWebhook(headersFor(), body, published, { nowSeconds: timestamp + 300 }).ok).toBe(
      true,
    );
    expect(verifyWebhook(headersFor(), body, published, { nowSeconds: timestamp + 301 })).toEqual({
      ok: false,
      reason: 'TIMESTAMP_OUT_OF_RANGE',
    });
    expect(verifyWebhook(headersFor(), body, published, { nowSeconds: timestamp - 301 }).ok).toBe(
      false,
    );
  });

  it('accepts any one good v1a signature among several (key rotation), ignores other schemes', () => {
    const good = signWebhook(signer, id, timestamp, body);
    const rotated = `v1,c2VjcmV0 ${signWebhook(other, id, timestamp, body)} ${good}`;
    const keys = [publicKeyToJwk(other.publicKey), signer.jwk];
    expect(verifyWebhook(headersFor(rotated), body, keys, at)).toMatchObject({ ok: true });
    expect(verifyWebhook(headersFor(`v1,${good.slice(4)}`), body, published, at).ok).toBe(false);
  });

  it('reports missing or malformed headers instead of throwing', () => {
    expect(verifyWebhook({}, body, published, at)).toEqual({
      ok: false,
      reason: 'MISSING_HEADERS',
    });
    const bad = { ...headersFor(), 'webhook-timestamp': '12e3' };
    expect(verifyWebhook(bad, body, published, at).ok).toBe(false);
    expect(verifyWebhook(headersFor('v1a,%%%'), body, published, at).ok).toBe(false);
    expect(verifyWebhook(headersFor(), body, 'nonsense' as never, at).ok).toBe(false);
  });
});

describe('base64', () => {
  it('matches Buffer for every length mod 3 and refuses malformed text', () => {
    for (const n of [0, 1, 2, 3, 31, 64]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 250) % 256);
      const text = Buffer.from(bytes).toString('base64');
      expect(base64Encode(bytes)).toBe(text);
      expect(base64Decode(text)).toEqual(bytes);
    }
    for (const bad of ['YQ', 'YQ=', 'Y-==', 'Y_==', 'YQ==YQ==']) {
      expect(() => base64Decode(bad), bad).toThrow();
    }
  });
});
