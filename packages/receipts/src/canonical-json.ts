import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) serialization. Signatures and content hashes are computed over this string,
 * so two parties must get byte-identical output for equal JSON values.
 *
 * `canonicalize` alone is not strict enough: for functions it emits the text `undefined`
 * (`{"a":undefined}`), drops them from arrays (`[fn]` -> `[]`), keeps array holes (`[,1]`) and
 * returns `undefined` instead of a string at top level. Each of those would be signed bytes that
 * no JSON parser can reproduce, so the value is checked first and anything JSON cannot represent
 * is a TypeError.
 */
export function canonicalJson(value: unknown): string {
  assertJsonValue(value, '$', []);
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (error) {
    // The library throws plain Errors (e.g. lone surrogates); callers get one error type.
    throw new TypeError(`canonicalJson: ${(error as Error).message}`, { cause: error });
  }
  if (typeof text !== 'string') {
    throw new TypeError('canonicalJson: value has no JSON representation');
  }
  return text;
}

/** Hex SHA-256; strings are hashed as their UTF-8 bytes. */
export function sha256Hex(input: Uint8Array | string): string {
  return bytesToHex(sha256(typeof input === 'string' ? utf8ToBytes(input) : input));
}

/** Hex SHA-256 of the RFC 8785 form: the `payload_sha256` / `result_sha256` of a receipt. */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

// `ancestors` holds the objects on the current path only (a stack: pushed on the way down, popped
// on the way up): a cycle is an error, while the same object appearing twice side by side is
// fine (it is serialized twice, as JSON.stringify does). A throw abandons the whole stack.
function assertJsonValue(value: unknown, path: string, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
      }
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, not a JSON value`);
  }
  if (value === null) return;
  if (ancestors.includes(value)) {
    throw new TypeError(`canonicalJson: ${path} is a circular reference`);
  }
  const withJson = value as { toJSON?: unknown };
  if (typeof withJson.toJSON === 'function') {
    // Same rule as JSON.stringify and canonicalize (e.g. Date -> ISO string).
    ancestors.push(value);
    assertJsonValue(withJson.toJSON(), path, ancestors);
    ancestors.pop();
    return;
  }
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // JSON would turn undefined (or a hole) into null; that silent change is refused instead.
      if (value[i] === undefined) {
        throw new TypeError(`canonicalJson: ${path}[${i}] is undefined`);
      }
      assertJsonValue(value[i], `${path}[${i}]`, ancestors);
    }
  } else {
    for (const [key, member] of Object.entries(value)) {
      // An undefined member is simply absent, as in JSON.stringify: that is how optional fields
      // are "left out".
      if (member === undefined) continue;
      assertJsonValue(member, `${path}.${key}`, ancestors);
    }
  }
  ancestors.pop();
}
