// Written on plain Uint8Array so the browser entry needs neither Buffer nor btoa/atob
// (which work on "binary strings" and would need a latin1 round trip).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Map<string, number>([...ALPHABET].map((char, index) => [char, index]));

/** base64url (RFC 4648 §5) without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = bytes.subarray(i, i + 3);
    const n = ((chunk[0] ?? 0) << 16) | ((chunk[1] ?? 0) << 8) | (chunk[2] ?? 0);
    // 1, 2 or 3 bytes give 2, 3 or 4 characters: the unpadded form.
    for (let c = 0; c <= chunk.length; c++) out += ALPHABET.charAt((n >>> (18 - 6 * c)) & 63);
  }
  return out;
}

/**
 * Strict inverse of base64urlEncode: rejects padding, the standard-base64 characters `+` `/`,
 * whitespace, impossible lengths and non-zero leftover bits. Accepting any of those would give
 * one signature or key several spellings, and key ids are compared as strings.
 */
export function base64urlDecode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('base64url: expected a string');
  if (text.length % 4 === 1) throw new Error('base64url: invalid length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (const char of text) {
    const value = DECODE.get(char);
    if (value === undefined) throw new Error('base64url: invalid character');
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >>> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new Error('base64url: non-canonical encoding');
  return out;
}
