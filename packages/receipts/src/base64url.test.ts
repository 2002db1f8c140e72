import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode } from './base64url.js';

// Node's own base64url codec is the reference; the implementation under test must not use it.
const reference = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe('base64url', () => {
  it('encodes like Node for every length remainder and all byte values', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let length = 0; length <= 10; length++) {
      const bytes = all.subarray(250 - length * 7, 250 - length * 7 + length);
      expect(base64urlEncode(bytes)).toBe(reference(bytes));
    }
    expect(base64urlEncode(all)).toBe(reference(all));
  });

  it('decodes back to the same bytes', () => {
    for (let length = 0; length <= 67; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length * 13) & 0xff);
      expect(base64urlDecode(base64urlEncode(bytes))).toEqual(bytes);
    }
  });

  it('has no padding and uses - and _ instead of + and /', () => {
    expect(base64urlEncode(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
  });

  it.each([
    ['padding', 'AA=='],
    ['standard-base64 plus', '+w'],
    ['standard-base64 slash', '/w'],
    ['whitespace', 'AA AA'],
    ['impossible length', 'AAAAA'],
    ['non-zero leftover bits', 'AB'],
    ['non-zero leftover bits (2 bytes)', 'AAB'],
  ])('rejects %s', (_name, text) => {
    expect(() => base64urlDecode(text)).toThrow(/base64url/);
  });
});
