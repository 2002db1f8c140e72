import { AppError } from '@aitbc/contracts';
import {
  NONCE_MIN_LENGTH,
  SIGNATURE_HEADERS,
  SIGNATURE_MAX_SKEW_SECONDS,
  type SignedParts,
  signatureVerifier,
} from '@aitbc/request-signing';
import type { KeyRing, Principal } from '../config/api-keys.js';
import { apiKeyFrom, type HeaderSource, readHeader } from '../trpc/context.js';

/** Who sent a request, as far as its headers prove it. */
export interface Authentication {
  /** Null when no key was presented; empty when the key is unknown. */
  principals: Principal[] | null;
  /** Why a route that needs a key must refuse this caller anyway (unsigned under REQUIRE_SIGNED_REQUESTS). */
  refusal: AppError | null;
  /** A verified signed request's nonce: remembered once the request passed its rate limit. */
  nonce: { keyId: string; nonce: string; expiresAt: Date } | null;
}

/** Any of these headers makes a request a signed one, which must then verify completely. */
const isSigned = (headers: HeaderSource) =>
  readHeader(headers, SIGNATURE_HEADERS.signature) !== undefined ||
  readHeader(headers, SIGNATURE_HEADERS.keyId) !== undefined;

const NONCE = new RegExp(`^[A-Za-z0-9_-]{${NONCE_MIN_LENGTH},128}$`);
const TIMESTAMP = /^\d{1,12}$/;
/** Nonces stay remembered past the window's end by this much, for clock skew between instances. */
const NONCE_MARGIN_SECONDS = 60;
/** Checked against when the key id is unknown, so an unknown id costs the same time as a known one. */
const NOBODY = signatureVerifier('no key has this name');

/** An unsigned request: `X-Api-Key` or `Authorization: Bearer`. */
export function authenticateApiKey(
  keys: KeyRing,
  headers: HeaderSource,
  requireSigned = false,
): Authentication {
  const key = apiKeyFrom(headers);
  if (requireSigned && key !== null) {
    const refusal = new AppError(
      'UNAUTHENTICATED',
      'this coordinator accepts signed requests only (X-Api-Key-Id, X-Timestamp, X-Nonce, X-Signature)',
    );
    return { principals: null, refusal, nonce: null };
  }
  return { principals: key === null ? null : keys.resolve(key), refusal: null, nonce: null };
}

export interface HttpRequestParts {
  method: string;
  /** The request target exactly as sent (path and query). */
  url: string;
  headers: HeaderSource;
  rawBody: Buffer | null;
}

/**
 * Authenticates a request by its §8a signature when it carries one, else by its API key.
 * Throws SIGNATURE_EXPIRED / SIGNATURE_INVALID; the replay check (the nonce) is the caller's
 * last step, after the rate limit, so that over-budget callers cost no store round trip.
 */
export function authenticate(
  request: HttpRequestParts,
  keys: KeyRing,
  nowMs: number,
  requireSigned: boolean,
): Authentication {
  if (!isSigned(request.headers)) return authenticateApiKey(keys, request.headers, requireSigned);
  const header = (name: string) => readHeader(request.headers, name) ?? '';
  const keyId = header(SIGNATURE_HEADERS.keyId);
  const timestamp = header(SIGNATURE_HEADERS.timestamp);
  const nonce = header(SIGNATURE_HEADERS.nonce);
  const signature = header(SIGNATURE_HEADERS.signature);
  if (keyId === '' || signature === '' || !TIMESTAMP.test(timestamp) || !NONCE.test(nonce)) {
    throw new AppError(
      'SIGNATURE_INVALID',
      `a signed request needs X-Api-Key-Id, X-Timestamp (epoch seconds), X-Nonce (${NONCE_MIN_LENGTH}-128 of [A-Za-z0-9_-]) and X-Signature`,
    );
  }
  const seconds = Number(timestamp);
  if (Math.abs(nowMs / 1000 - seconds) > SIGNATURE_MAX_SKEW_SECONDS) {
    throw new AppError(
      'SIGNATURE_EXPIRED',
      `X-Timestamp is more than ${SIGNATURE_MAX_SKEW_SECONDS} s from the server's clock`,
    );
  }
  const parts: SignedParts = {
    method: request.method,
    target: request.url,
    timestamp,
    nonce,
    body: request.rawBody ?? undefined,
  };
  const named = keys.named(keyId);
  if (named.length === 0) NOBODY(parts, signature);
  const principals = named
    .filter((entry) => entry.verifySignature(parts, signature))
    .map(({ id, role }) => ({ id, role }));
  if (principals.length === 0) {
    throw new AppError('SIGNATURE_INVALID', 'the signature does not match this request');
  }
  const expiresAt = new Date((seconds + SIGNATURE_MAX_SKEW_SECONDS + NONCE_MARGIN_SECONDS) * 1000);
  return { principals, refusal: null, nonce: { keyId, nonce, expiresAt } };
}
