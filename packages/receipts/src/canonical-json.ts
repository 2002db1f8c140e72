import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * RFC 8785 (JCS) serialization. Signatures and content hashes are computed over this string,
 * so two parties must get byte-identical output for equal JSON values.
 *
 * One walk checks and writes: strings and numbers as JSON.stringify writes them (which is what
 * RFC 8785 §3.2.2 prescribes), object members sorted by UTF-16 code units (§3.2.3), undefined
 * members left out as JSON.stringify does, `toJSON` honoured. Anything JSON cannot represent is
 * a TypeError instead of signed bytes that no JSON parser could reproduce: functions, symbols,
 * bigints, NaN and ±Infinity, undefined (or a hole) in an array, a circular structure, a string
 * or key with a lone surrogate.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) throw new TypeError('canonicalJson: value has no JSON representation');
  return write(value, '$', []);
}

// `ancestors` holds the objects on the current path only (pushed on the way down, popped on the
// way up): a cycle is an error, while the same object appearing twice side by side is fine (it
// is written twice, as JSON.stringify does). A throw abandons the whole walk.
function write(value: unknown, path: string, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quoted(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
      }
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, not a JSON value`);
  }
  if (value === null) return 'null';
  if (ancestors.includes(value)) {
    throw new TypeError(`canonicalJson: ${path} is a circular reference`);
  }
  ancestors.push(value);
  let text: string;
  const withJson = value as { toJSON?: unknown };
  if (typeof withJson.toJSON === 'function') {
    // Same rule as JSON.stringify (e.g. Date -> ISO string).
    text = write(withJson.toJSON(), path, ancestors);
  } else if (Array.isArray(value)) {
    const items: string[] = [];
    for (let i = 0; i < value.length; i++) {
      // JSON would turn undefined (or a hole) into null; that silent change is refused instead.
      if (value[i] === undefined) throw new TypeError(`canonicalJson: ${path}[${i}] is undefined`);
      items.push(write(value[i], `${path}[${i}]`, ancestors));
    }
    text = `[${items.join(',')}]`;
  } else {
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      // An undefined member is simply absent, as in JSON.stringify: that is how optional fields
      // are "left out".
      if (member === undefined) continue;
      members.push(`${quoted(key, path)}:${write(member, `${path}.${key}`, ancestors)}`);
    }
    text = `{${members.join(',')}}`;
  }
  ancestors.pop();
  return text;
}

const SURROGATE = /[\ud800-\udfff]/;

function quoted(text: string, path: string): string {
  // The regex is native and cheap; the pairwise check runs only for text with surrogates.
  if (SURROGATE.test(text) && hasLoneSurrogate(text)) {
    throw new TypeError(`canonicalJson: ${path} has a lone surrogate, which is not Unicode text`);
  }
  return JSON.stringify(text);
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}

/** Hex SHA-256; strings are hashed as their UTF-8 bytes. */
export function sha256Hex(input: Uint8Array | string): string {
  return bytesToHex(sha256(typeof input === 'string' ? utf8ToBytes(input) : input));
}

/** Hex SHA-256 of the RFC 8785 form: the `payload_sha256` / `result_sha256` of a receipt. */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
