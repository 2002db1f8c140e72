import { describe, expect, it } from 'vitest';
import { jwkToPublicKey, keyIdOf, parseSeedHex, publicKeyToJwk } from './keys.js';
import { hexBytes, RFC8032_TEST1, RFC8032_TEST2 } from './test-fixtures.js';

const { seed, publicKey } = RFC8032_TEST1;

describe('parseSeedHex', () => {
  it('derives the RFC 8032 public key from a 64-hex seed', () => {
    const parsed = parseSeedHex(seed);
    expect(Buffer.from(parsed.seed).toString('hex')).toBe(seed);
    expect(Buffer.from(parsed.publicKey).toString('hex')).toBe(publicKey);
  });

  it('accepts uppercase hex', () => {
    expect(Buffer.from(parseSeedHex(seed.toUpperCase()).publicKey).toString('hex')).toBe(publicKey);
  });

  it('accepts 128 hex = seed ‖ matching public key', () => {
    const parsed = parseSeedHex(seed + publicKey);
    expect(Buffer.from(parsed.seed).toString('hex')).toBe(seed);
    expect(Buffer.from(parsed.publicKey).toString('hex')).toBe(publicKey);
  });

  it('rejects 128 hex whose second half is another key', () => {
    expect(() => parseSeedHex(seed + RFC8032_TEST2.publicKey)).toThrow(/not the public key/);
  });

  it('rejects 128 hex whose second half differs in one bit', () => {
    const flipped = `${publicKey.slice(0, -1)}${(Number.parseInt(publicKey.slice(-1), 16) ^ 1).toString(16)}`;
    expect(() => parseSeedHex(seed + flipped)).toThrow(/not the public key/);
  });

  it.each([
    ['empty', ''],
    ['one character short', seed.slice(1)],
    ['one character long', `${seed}0`],
    ['96 characters', seed + seed.slice(0, 32)],
    ['a non-hex character', `${seed.slice(0, 63)}g`],
    ['0x prefix', `0x${seed.slice(2)}`],
    ['surrounding whitespace', ` ${seed.slice(1)}`],
    ['a trailing newline', `${seed.slice(1)}\n`],
    ['base64 of the seed', Buffer.from(seed, 'hex').toString('base64').padEnd(64, 'A')],
  ])('rejects %s without echoing the key', (_name, input) => {
    let error: unknown;
    try {
      parseSeedHex(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/Ed25519 signing key/);
    // No 8-character run of the input may appear in the message.
    for (let i = 0; i + 8 <= input.length; i++) {
      expect(message).not.toContain(input.slice(i, i + 8));
    }
  });

  it('rejects a non-string with a TypeError', () => {
    expect(() => parseSeedHex(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe('key ids and JWKs', () => {
  const raw = hexBytes(publicKey);

  it('key_id is the unpadded base64url of the raw public key', () => {
    expect(keyIdOf(raw)).toBe(Buffer.from(raw).toString('base64url'));
    expect(keyIdOf(raw)).toBe('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo');
  });

  it('rejects a public key that is not 32 bytes', () => {
    expect(() => keyIdOf(raw.subarray(1))).toThrow(/32 bytes/);
  });

  it('publishes kid = x = key_id and reads it back', () => {
    const jwk = publicKeyToJwk(raw);
    expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', kid: keyIdOf(raw), x: keyIdOf(raw) });
    expect(jwkToPublicKey(jwk)).toEqual(raw);
    expect(jwkToPublicKey(JSON.parse(JSON.stringify(jwk)))).toEqual(raw);
  });

  it('accepts a JWK without kid', () => {
    expect(jwkToPublicKey({ kty: 'OKP', crv: 'Ed25519', x: keyIdOf(raw) })).toEqual(raw);
  });

  const good = publicKeyToJwk(raw);
  // y = 1 encodes the identity point (small order); y = p is a non-canonical encoding.
  const identity = Buffer.from(`01${'00'.repeat(31)}`, 'hex').toString('base64url');
  const yEqualsP = Buffer.from(`ed${'ff'.repeat(30)}7f`, 'hex').toString('base64url');
  it.each([
    ['not an object', 'x', /object/],
    ['wrong kty', { ...good, kty: 'EC' }, /Ed25519/],
    ['wrong crv', { ...good, crv: 'X25519' }, /Ed25519/],
    ['kid differing from x', { ...good, kid: 'other' }, /kid/],
    ['x missing', { kty: 'OKP', crv: 'Ed25519' }, /"x"/],
    ['x padded', { ...good, kid: undefined, x: `${good.x}=` }, /base64url/],
    ['x too short', { ...good, kid: undefined, x: good.x.slice(0, 40) }, /32 bytes/],
    ['a private part', { ...good, d: 'AAAA' }, /private/],
    ['a small-order point', { kty: 'OKP', crv: 'Ed25519', x: identity }, /small-order/],
    ['a non-canonical point', { kty: 'OKP', crv: 'Ed25519', x: yEqualsP }, /valid Ed25519/],
  ])('rejects a JWK with %s', (_name, jwk, message) => {
    expect(() => jwkToPublicKey(jwk)).toThrow(message);
  });
});
