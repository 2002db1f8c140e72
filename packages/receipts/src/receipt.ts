import { canonicalJson } from './canonical-json.js';

export const RECEIPT_VERSION = '2';

/** JSON values allowed in `metadata`. No null: a field without a value is left out. */
export type ReceiptJson =
  | string
  | number
  | boolean
  | ReceiptJson[]
  | { [key: string]: ReceiptJson };

export interface UnsignedReceipt {
  version: typeof RECEIPT_VERSION;
  receipt_id: string;
  job_id: string;
  attempt?: number;
  service?: string;
  provider?: string;
  client?: string;
  units?: number;
  unit_type?: string;
  price?: number;
  /** Epoch seconds, integer. */
  started_at?: number;
  /** Epoch seconds, integer. */
  completed_at?: number;
  /** Hex SHA-256 of the RFC 8785 form of the job payload (see canonicalSha256). */
  payload_sha256?: string;
  /** Hex SHA-256 of the RFC 8785 form of the job result. */
  result_sha256?: string;
  coordinator_id?: string;
  metadata?: { [key: string]: ReceiptJson };
}

export interface ReceiptSignature {
  alg: 'Ed25519';
  /** base64url (no padding) of the raw 32-byte public key. */
  key_id: string;
  /** base64url (no padding) of the 64-byte signature. */
  sig: string;
}

export interface Receipt extends UnsignedReceipt {
  signature: ReceiptSignature;
  attestations?: ReceiptSignature[];
}

/** JSON as callers may hold it before signing: nulls allowed, stripNulls removes them. */
export type ReceiptJsonInput =
  | string
  | number
  | boolean
  | null
  | ReceiptJsonInput[]
  | { [key: string]: ReceiptJsonInput | undefined };

/**
 * What callers typically hold before signing, e.g. a database row: optional fields may be
 * null, also inside metadata. signReceipt removes them (stripNulls) before anything is signed.
 */
export type UnsignedReceiptInput = {
  [K in Exclude<keyof UnsignedReceipt, 'metadata'>]: undefined extends UnsignedReceipt[K]
    ? UnsignedReceipt[K] | null
    : UnsignedReceipt[K];
} & { metadata?: { [key: string]: ReceiptJsonInput | undefined } | null };

/**
 * The bytes that `signature` and every attestation sign: RFC 8785 JSON, UTF-8, of the receipt
 * without `signature` and `attestations`. Attestations are outside the signed bytes so that they
 * can be added after the coordinator has signed.
 */
export function receiptSigningBytes(receipt: object): Uint8Array {
  // Object rest copies own properties with define semantics, so a JSON-parsed "__proto__" key
  // stays a signed field instead of being dropped (assignment would call the setter).
  const { signature: _signature, attestations: _attestations, ...body } = receipt as Receipt;
  return new TextEncoder().encode(canonicalJson(body));
}

type WithoutNulls<T> = T extends null | undefined
  ? never
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]: WithoutNulls<T[K]> }
      : T;

/**
 * Returns a copy without null/undefined object members, at top level and inside nested objects
 * such as `metadata`. Array elements are kept (removing one would shift the others); signReceipt
 * rejects a null left inside an array.
 */
export function stripNulls<T extends object>(obj: T): WithoutNulls<T> {
  return stripValue(obj) as WithoutNulls<T>;
}

function stripValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripValue);
  if (!isPlainObject(value)) return value;
  // fromEntries defines properties (no "__proto__" setter), like the rest copy above.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== null && member !== undefined)
      .map(([key, member]) => [key, stripValue(member)]),
  );
}

// Only plain data is rebuilt; anything else (Date, class instances) keeps its own toJSON.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
