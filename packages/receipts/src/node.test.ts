import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { canonicalSha256 as pureJsCanonicalSha256 } from './canonical-json.js';
import { canonicalSha256, createNodeSigner, generateSeedHex } from './node.js';
import { createNobleSigner, signReceipt, signReceiptAsync } from './sign.js';
import { RFC8032_TEST1, RFC8032_TEST2, sampleReceipt } from './test-fixtures.js';
import { verifyDetached } from './verify.js';

// Wraps the real functions so the test can count key imports; behaviour is unchanged.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, createPrivateKey: vi.fn(real.createPrivateKey), sign: vi.fn(real.sign) };
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const empty = new Uint8Array();

describe.each([
  ['node:crypto', createNodeSigner],
  ['noble', createNobleSigner],
])('%s signer', (_name, createSigner) => {
  it('reproduces RFC 8032 test 1', () => {
    const signer = createSigner(RFC8032_TEST1.seed);
    expect(hex(signer.publicKey)).toBe(RFC8032_TEST1.publicKey);
    expect(signer.keyId).toBe(Buffer.from(RFC8032_TEST1.publicKey, 'hex').toString('base64url'));
    expect(signer.jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', kid: signer.keyId, x: signer.keyId });
    expect(hex(signer.sign(empty))).toBe(RFC8032_TEST1.signature);
  });

  it('accepts the 128-hex seed ‖ public key form', () => {
    const signer = createSigner(RFC8032_TEST1.seed + RFC8032_TEST1.publicKey);
    expect(hex(signer.sign(empty))).toBe(RFC8032_TEST1.signature);
  });

  it('rejects a 128-hex key whose public half belongs to another seed', () => {
    expect(() => createSigner(RFC8032_TEST1.seed + RFC8032_TEST2.publicKey)).toThrow(
      /not the public key/,
    );
  });

  it('rejects a wrong-length key without echoing it', () => {
    const input = RFC8032_TEST1.seed.slice(0, 62);
    expect(() => createSigner(input)).toThrow(/64 hex characters/);
    expect(() => createSigner(input)).not.toThrow(input.slice(0, 16));
  });
});

describe('createNodeSigner', () => {
  it('imports the key once and signs many times with it', () => {
    const createPrivateKey = vi.mocked(crypto.createPrivateKey);
    const sign = vi.mocked(crypto.sign);
    createPrivateKey.mockClear();
    sign.mockClear();
    const signer = createNodeSigner(RFC8032_TEST2.seed);
    for (let i = 0; i < 5; i++) signer.sign(Uint8Array.of(i));
    expect(createPrivateKey).toHaveBeenCalledTimes(1);
    expect(sign).toHaveBeenCalledTimes(5);
    const keyObjects = new Set(sign.mock.calls.map((call) => call[2]));
    expect(keyObjects.size).toBe(1);
  });

  it('produces the same signatures as the noble signer (Ed25519 is deterministic)', () => {
    const node = createNodeSigner(RFC8032_TEST2.seed);
    const noble = createNobleSigner(RFC8032_TEST2.seed);
    const message = new TextEncoder().encode('{"job_id":"j-1","units":3}');
    expect(hex(node.sign(message))).toBe(hex(noble.sign(message)));
    expect(node.keyId).toBe(noble.keyId);
  });

  it('signs off the event loop to the same signature, and signReceiptAsync to the same receipt', async () => {
    const node = createNodeSigner(RFC8032_TEST2.seed);
    const attester = createNodeSigner(RFC8032_TEST1.seed);
    const message = new TextEncoder().encode('{"job_id":"j-1","units":3}');
    expect(hex(await node.signAsync(message))).toBe(hex(node.sign(message)));
    const unsigned = sampleReceipt();
    const receipt = await signReceiptAsync(unsigned, node, [attester]);
    expect(receipt).toEqual(signReceipt(unsigned, node, [attester]));
    expect(receipt.attestations).toHaveLength(1);
  });
});

describe('generateSeedHex', () => {
  it('returns a fresh 64-hex seed usable by both signers', () => {
    const a = generateSeedHex();
    const b = generateSeedHex();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    const message = Uint8Array.of(1, 2, 3);
    const signer = createNodeSigner(a);
    const signature = Buffer.from(signer.sign(message)).toString('base64url');
    expect(verifyDetached(message, signature, createNobleSigner(a).publicKey)).toBe(true);
  });
});

describe('canonicalSha256 on node:crypto', () => {
  it.each([
    ['a string', 'x'.repeat(1024)],
    ['non-ASCII text', { text: 'Grüße, 世界 🎉', n: [1, 2.5, -0, 1e21] }],
    ['nested keys out of order', { b: { d: 1, c: [true, null] }, a: '' }],
    ['an empty object', {}],
  ])('hashes %s exactly as the pure-JS version', (_name, value) => {
    expect(canonicalSha256(value)).toBe(pureJsCanonicalSha256(value));
  });

  it('refuses what JSON cannot represent, as the pure-JS version does', () => {
    expect(() => canonicalSha256({ a: Number.NaN })).toThrow(TypeError);
  });
});
