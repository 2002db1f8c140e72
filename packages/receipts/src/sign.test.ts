import { describe, expect, it } from 'vitest';
import { RECEIPT_VERSION, receiptSigningBytes, stripNulls } from './receipt.js';
import { createNobleSigner, type ReceiptSigner, signReceipt } from './sign.js';
import { RFC8032_TEST1, sampleReceipt } from './test-fixtures.js';
import { verifyReceipt } from './verify.js';

const signer = createNobleSigner(RFC8032_TEST1.seed);

describe('stripNulls', () => {
  it('removes null and undefined members at top level and inside metadata', () => {
    const stripped = stripNulls({
      a: 1,
      b: null,
      c: undefined,
      metadata: { keep: 'x', drop: null, nested: { drop: null, zero: 0, no: false, empty: '' } },
    });
    expect(stripped).toEqual({
      a: 1,
      metadata: { keep: 'x', nested: { zero: 0, no: false, empty: '' } },
    });
    expect(Object.keys(stripped)).toEqual(['a', 'metadata']);
  });

  it('keeps array elements in place', () => {
    expect(stripNulls({ list: [1, { a: null, b: 2 }] })).toEqual({ list: [1, { b: 2 }] });
  });

  it('does not modify its input', () => {
    const input = { a: null, metadata: { b: null } };
    stripNulls(input);
    expect(input).toEqual({ a: null, metadata: { b: null } });
  });

  it('keeps a JSON "__proto__" member as an own field', () => {
    const stripped = stripNulls(JSON.parse('{"__proto__":{"x":1},"y":null}'));
    expect(Object.keys(stripped)).toEqual(['__proto__']);
  });
});

describe('signReceipt', () => {
  it('never leaves a null in the signed receipt', () => {
    const input = {
      ...sampleReceipt(),
      client: null,
      price: null,
      result_sha256: null,
      metadata: { region: null, gpu: { model: 'A100', driver: null } },
    };
    const receipt = signReceipt(input, signer);
    expect(JSON.stringify(receipt)).not.toContain('null');
    expect('client' in receipt).toBe(false);
    expect(receipt.metadata).toEqual({ gpu: { model: 'A100' } });
    expect(verifyReceipt(receipt, [signer.jwk]).ok).toBe(true);
  });

  it('signs exactly the fields it returns', () => {
    const receipt = signReceipt({ ...sampleReceipt(), units: null }, signer);
    const { signature: _s, ...body } = receipt;
    expect(new TextDecoder().decode(receiptSigningBytes(receipt))).toBe(
      new TextDecoder().decode(receiptSigningBytes(body)),
    );
    expect(new TextDecoder().decode(receiptSigningBytes(receipt))).not.toContain('units');
  });

  it('signs the RFC 8785 form with the documented signature shape', () => {
    const receipt = signReceipt(
      { version: RECEIPT_VERSION, receipt_id: 'r', job_id: 'j', units: 1e21 },
      signer,
    );
    expect(new TextDecoder().decode(receiptSigningBytes(receipt))).toBe(
      '{"job_id":"j","receipt_id":"r","units":1e+21,"version":"2"}',
    );
    expect(receipt.signature).toEqual({
      alg: 'Ed25519',
      key_id: signer.keyId,
      sig: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/),
    });
    expect(receipt.attestations).toBeUndefined();
  });

  it('replaces a signature already present on the input', () => {
    const stale = { alg: 'Ed25519', key_id: 'old', sig: 'AAAA' };
    const receipt = signReceipt({ ...sampleReceipt(), signature: stale } as never, signer);
    expect(receipt.signature.key_id).toBe(signer.keyId);
    expect(verifyReceipt(receipt, [signer.jwk]).ok).toBe(true);
  });

  it.each([
    ['a wrong version', { version: '1' }, /version/],
    ['fractional started_at', { started_at: 1732780000.5 }, /started_at/],
    ['millisecond completed_at as a string', { completed_at: '1732781834000' }, /completed_at/],
    ['an uppercase result hash', { result_sha256: 'AB'.repeat(32) }, /result_sha256/],
    ['a short payload hash', { payload_sha256: 'ab' }, /payload_sha256/],
    [
      'a null inside a metadata array',
      { metadata: { tags: ['a', null] } },
      /\$\.metadata\.tags\[1\]/,
    ],
    ['NaN units', { units: Number.NaN }, /units/],
  ])('refuses to sign %s', (_name, change, message) => {
    expect(() => signReceipt({ ...sampleReceipt(), ...change } as never, signer)).toThrow(message);
  });

  it('refuses a signer that does not return a 64-byte signature', () => {
    const broken: ReceiptSigner = { keyId: signer.keyId, sign: () => new Uint8Array(63) };
    expect(() => signReceipt(sampleReceipt(), broken)).toThrow(/64-byte/);
  });
});
