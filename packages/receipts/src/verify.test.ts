import { describe, expect, it } from 'vitest';
import { ed } from './ed25519.js';
import { keyIdOf } from './keys.js';
import { createNodeSigner } from './node.js';
import { type Receipt, receiptSigningBytes } from './receipt.js';
import { createNobleSigner, signReceipt } from './sign.js';
import { RFC8032_TEST1, RFC8032_TEST2, sampleReceipt } from './test-fixtures.js';
import { trustedKeyMap, verifyDetached, verifyReceipt } from './verify.js';

const coordinator = createNodeSigner(RFC8032_TEST1.seed);
const attester = createNobleSigner(RFC8032_TEST2.seed);
const stranger = createNobleSigner('11'.repeat(32));
const trusted = { keys: [coordinator.jwk, attester.jwk] };

const signed = () => signReceipt(sampleReceipt(), coordinator);
const copy = (receipt: Receipt): Record<string, unknown> => JSON.parse(JSON.stringify(receipt));

describe('verifyReceipt', () => {
  it('accepts a freshly signed receipt, also after a JSON round trip', () => {
    const receipt = signed();
    expect(verifyReceipt(receipt, trusted)).toEqual({
      ok: true,
      keyId: coordinator.keyId,
      attestations: [],
    });
    expect(verifyReceipt(copy(receipt), trusted).ok).toBe(true);
  });

  it.each([
    ['a JWK Set', { keys: [coordinator.jwk] }],
    ['a JWK array', [coordinator.jwk]],
    ['raw public keys', [coordinator.publicKey]],
    ['a prebuilt map', trustedKeyMap([coordinator.jwk])],
    ['a JWK Set parsed from JSON', JSON.parse(JSON.stringify({ keys: [coordinator.jwk] }))],
  ])('takes the trusted keys as %s', (_name, keys) => {
    expect(verifyReceipt(signed(), keys).ok).toBe(true);
  });

  type Json = Record<string, unknown>;
  const metadata = (r: Json) => r.metadata as { gpu: { count: number }; tags: string[] };
  it.each<[string, (r: Json) => unknown]>([
    ['units changed', (r) => Object.assign(r, { units: 1835 })],
    ['provider changed', (r) => Object.assign(r, { provider: 'prov_gpu_eu_8' })],
    ['result_sha256 changed', (r) => Object.assign(r, { result_sha256: '0'.repeat(64) })],
    ['price changed', (r) => Object.assign(r, { price: 0.0041 })],
    ['started_at changed', (r) => Object.assign(r, { started_at: 1732780001 })],
    ['version changed', (r) => Object.assign(r, { version: '3' })],
    ['field added', (r) => Object.assign(r, { discount: 0 })],
    ['field removed', (r) => Reflect.deleteProperty(r, 'client')],
    ['field set to null', (r) => Object.assign(r, { client: null })],
    ['number turned into string', (r) => Object.assign(r, { units: '1834' })],
    ['nested metadata changed', (r) => Object.assign(metadata(r).gpu, { count: 8 })],
    ['metadata array reordered', (r) => metadata(r).tags.reverse()],
  ])('rejects a receipt with %s as BAD_SIGNATURE', (_name, tamper) => {
    const receipt = copy(signed());
    tamper(receipt);
    expect(verifyReceipt(receipt, trusted)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a "__proto__" member smuggled in through JSON', () => {
    const text = JSON.stringify(signed()).replace('{', '{"__proto__":{"units":1},');
    const receipt = JSON.parse(text);
    expect(Object.keys(receipt)).toContain('__proto__');
    expect(verifyReceipt(receipt, trusted)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('does not trust a key just because the receipt names it', () => {
    const receipt = signReceipt(sampleReceipt(), stranger);
    expect(verifyReceipt(receipt, trusted)).toEqual({ ok: false, reason: 'UNTRUSTED_KEY' });
    // The signature itself is fine: with the stranger's key trusted, it verifies.
    expect(verifyReceipt(receipt, [stranger.jwk]).ok).toBe(true);
  });

  it('rejects a receipt whose key_id was swapped for a trusted one', () => {
    const receipt = signReceipt(sampleReceipt(), stranger);
    receipt.signature.key_id = coordinator.keyId;
    expect(verifyReceipt(receipt, trusted)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a signature moved from another receipt', () => {
    const other = signReceipt({ ...sampleReceipt(), job_id: 'job_other' }, coordinator);
    const receipt = signed();
    receipt.signature = other.signature;
    expect(verifyReceipt(receipt, trusted)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a malleated signature (S + L) that ZIP-215 would also reject', () => {
    const receipt = signed();
    const sig = Buffer.from(receipt.signature.sig, 'base64url');
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i] as number);
    s += L;
    for (let i = 0; i < 32; i++) sig[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
    receipt.signature.sig = sig.toString('base64url');
    expect(verifyReceipt(receipt, trusted)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('is strict RFC 8032 even for a small-order key slipped in through a prebuilt Map', () => {
    // A = R = identity, S = 0: valid for any message under noble's default ZIP-215 rules.
    const identity = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
    const forged = new Uint8Array(64);
    forged.set(identity);
    const keyId = keyIdOf(identity);
    const receipt = {
      ...copy(signed()),
      signature: { alg: 'Ed25519', key_id: keyId, sig: Buffer.from(forged).toString('base64url') },
    };
    expect(ed.verify(forged, receiptSigningBytes(receipt), identity)).toBe(true);
    const map = new Map([[keyId, identity]]);
    expect(verifyReceipt(receipt, map)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('reports an algorithm other than Ed25519 as UNSUPPORTED_ALG', () => {
    const receipt = copy(signed());
    (receipt.signature as { alg: string }).alg = 'ES256';
    expect(verifyReceipt(receipt, trusted)).toEqual({ ok: false, reason: 'UNSUPPORTED_ALG' });
  });

  const withSignature = (signature: unknown) => ({ ...copy(signed()), signature });
  const valid = signed().signature;
  const throwing = Object.defineProperty({ ...copy(signed()) }, 'units', {
    enumerable: true,
    get() {
      throw new Error('boom');
    },
  });
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'receipt'],
    ['a JSON string of a receipt', JSON.stringify(signed())],
    ['a number', 42],
    ['an array', [signed()]],
    ['an empty object', {}],
    ['a receipt without signature', { ...copy(signed()), signature: undefined }],
    ['a signature string', withSignature(valid.sig)],
    ['a signature without sig', withSignature({ alg: 'Ed25519', key_id: valid.key_id })],
    ['a numeric key_id', withSignature({ ...valid, key_id: 7 })],
    ['sig that is not base64url', withSignature({ ...valid, sig: `${valid.sig.slice(0, -2)}+/` })],
    ['sig with padding', withSignature({ ...valid, sig: `${valid.sig}==` })],
    ['sig of the wrong length', withSignature({ ...valid, sig: valid.sig.slice(0, 40) })],
    [
      'sig as hex',
      withSignature({ ...valid, sig: Buffer.from(valid.sig, 'base64url').toString('hex') }),
    ],
    ['attestations that are not a list', { ...copy(signed()), attestations: valid }],
    ['a field JSON cannot represent', { ...copy(signed()), units: 10n }],
    ['a getter that throws', throwing],
  ])('returns MALFORMED for %s without throwing', (_name, input) => {
    expect(verifyReceipt(input, trusted)).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it.each([
    ['null', null],
    ['a string', 'keys'],
    ['an object without keys', {}],
    ['a set of garbage', { keys: [42, 'x', null] }],
  ])('never throws on a trusted set that is %s, and trusts nothing from it', (_name, keys) => {
    expect(verifyReceipt(signed(), keys as never)).toEqual({ ok: false, reason: 'UNTRUSTED_KEY' });
  });

  it('skips an unusable trusted entry but keeps the good ones', () => {
    const keys = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'short' }, coordinator.jwk] };
    expect(verifyReceipt(signed(), keys as never).ok).toBe(true);
  });
});

describe('attestations', () => {
  it('signs the same bytes as the coordinator and verifies', () => {
    const receipt = signReceipt(sampleReceipt(), coordinator, [attester]);
    expect(verifyReceipt(receipt, trusted)).toEqual({
      ok: true,
      keyId: coordinator.keyId,
      attestations: [{ keyId: attester.keyId, ok: true }],
    });
    const attestation = receipt.attestations?.[0];
    expect(attestation?.alg).toBe('Ed25519');
    expect(
      verifyDetached(receiptSigningBytes(receipt), attestation?.sig ?? '', attester.publicKey),
    ).toBe(true);
  });

  it('reports an attestation by an untrusted key without invalidating the receipt', () => {
    const receipt = signReceipt(sampleReceipt(), coordinator, [attester, stranger]);
    expect(verifyReceipt(receipt, { keys: [coordinator.jwk] })).toEqual({
      ok: true,
      keyId: coordinator.keyId,
      attestations: [
        { keyId: attester.keyId, ok: false },
        { keyId: stranger.keyId, ok: false },
      ],
    });
  });

  it('reports a forged or malformed attestation as not ok', () => {
    const receipt = signReceipt(sampleReceipt(), coordinator, [attester]);
    const forged = { ...receipt.signature, key_id: attester.keyId };
    receipt.attestations = [forged, { alg: 'Ed25519' } as never];
    const result = verifyReceipt(receipt, trusted);
    expect(result).toEqual({
      ok: true,
      keyId: coordinator.keyId,
      attestations: [
        { keyId: attester.keyId, ok: false },
        { keyId: '', ok: false },
      ],
    });
  });

  it('does not cover the attestations by the coordinator signature', () => {
    const receipt = signReceipt(sampleReceipt(), coordinator, [attester]);
    const { attestations: _a, ...bare } = receipt;
    expect(receiptSigningBytes(bare)).toEqual(receiptSigningBytes(receipt));
    expect(verifyReceipt(bare, trusted).ok).toBe(true);
  });
});

describe('interchangeable signers', () => {
  it('node:crypto and noble sign a receipt identically, and noble verifies it', () => {
    const fromNode = signReceipt(sampleReceipt(), createNodeSigner(RFC8032_TEST2.seed));
    const fromNoble = signReceipt(sampleReceipt(), createNobleSigner(RFC8032_TEST2.seed));
    expect(fromNode).toEqual(fromNoble);
    const bytes = receiptSigningBytes(fromNode);
    const sig = Buffer.from(fromNode.signature.sig, 'base64url');
    expect(ed.verify(sig, bytes, attester.publicKey, { zip215: false })).toBe(true);
  });
});

describe('verifyDetached', () => {
  const message = new TextEncoder().encode('hello');
  const sig = Buffer.from(coordinator.sign(message)).toString('base64url');

  it('verifies a good signature and rejects another message or key', () => {
    expect(verifyDetached(message, sig, coordinator.publicKey)).toBe(true);
    expect(verifyDetached(new TextEncoder().encode('hellO'), sig, coordinator.publicKey)).toBe(
      false,
    );
    expect(verifyDetached(message, sig, attester.publicKey)).toBe(false);
  });

  it.each([
    ['bad base64url', 'not base64!'],
    ['a short signature', sig.slice(0, 20)],
  ])('returns false for %s', (_name, bad) => {
    expect(verifyDetached(message, bad, coordinator.publicKey)).toBe(false);
  });

  it('returns false for a public key of the wrong length or type', () => {
    expect(verifyDetached(message, sig, coordinator.publicKey.subarray(1))).toBe(false);
    expect(verifyDetached(message, sig, keyIdOf(coordinator.publicKey) as never)).toBe(false);
  });

  it('is strict RFC 8032: the small-order forgery that ZIP-215 accepts is refused', () => {
    // A = R = identity point, S = 0 satisfies the cofactored equation for every message.
    const identity = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
    const forged = new Uint8Array(64);
    forged.set(identity);
    expect(ed.verify(forged, message, identity)).toBe(true); // noble's default (ZIP-215)
    expect(verifyDetached(message, Buffer.from(forged).toString('base64url'), identity)).toBe(
      false,
    );
  });
});

describe('trustedKeyMap', () => {
  it('indexes keys by key_id', () => {
    const map = trustedKeyMap({ keys: [coordinator.jwk, attester.jwk] });
    expect([...map.keys()]).toEqual([coordinator.keyId, attester.keyId]);
    expect(map.get(attester.keyId)).toEqual(attester.publicKey);
  });

  it('throws on a malformed Ed25519 entry (configuration error)', () => {
    expect(() => trustedKeyMap([{ ...coordinator.jwk, kid: 'wrong' }])).toThrow(/kid/);
    expect(() => trustedKeyMap({} as never)).toThrow(/JWK Set/);
  });

  it('throws on a raw key that is not a usable public key', () => {
    const identity = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
    expect(() => trustedKeyMap([identity])).toThrow(/small-order/);
    expect(() => trustedKeyMap([new Uint8Array(31)])).toThrow(/32 bytes/);
  });

  it('skips keys of other types, as RFC 7517 §5 asks', () => {
    const rsa = { kty: 'RSA', kid: 'r1', n: 'AQAB', e: 'AQAB' };
    const x25519 = { kty: 'OKP', crv: 'X25519', kid: 'x1', x: coordinator.jwk.x };
    const map = trustedKeyMap({ keys: [rsa, x25519, coordinator.jwk] as never });
    expect([...map.keys()]).toEqual([coordinator.keyId]);
  });
});
