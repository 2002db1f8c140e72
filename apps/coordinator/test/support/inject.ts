import { signRequest } from '@aitbc/request-signing';
import type { LightMyRequestResponse } from 'fastify';
import { KEYS, type TestApp, type Who } from './test-app.js';

export interface InjectOptions {
  /** Sign as this principal (§8a) instead of sending its key. */
  signAs?: Who;
  /** Send this principal's key as X-Api-Key. */
  key?: Who;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Override parts of the signature (a stale timestamp, a fixed nonce, another key id). */
  sign?: { now?: number; nonce?: string; keyId?: string; secret?: string };
}

/** The headers `send` sends: the signature or key the test asks for, then `opts.headers`. */
export function headersFor(
  t: TestApp,
  method: string,
  url: string,
  opts: InjectOptions = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.key) headers['x-api-key'] = KEYS[opts.key];
  if (opts.signAs) {
    Object.assign(
      headers,
      signRequest({
        keyId: opts.sign?.keyId ?? opts.signAs,
        secret: opts.sign?.secret ?? KEYS[opts.signAs],
        method,
        target: url,
        body: opts.body,
        now: opts.sign?.now ?? t.clock.now().getTime(),
        ...(opts.sign?.nonce ? { nonce: opts.sign.nonce } : {}),
      }),
    );
  }
  return Object.assign(headers, opts.headers);
}

/** One HTTP request through Fastify (no socket), signed or keyed as the test asks. */
export function send(
  t: TestApp,
  method: 'GET' | 'POST' | 'OPTIONS',
  url: string,
  opts: InjectOptions = {},
): Promise<LightMyRequestResponse> {
  return t.app.http.inject({
    method,
    url,
    headers: headersFor(t, method, url, opts),
    ...(opts.body === undefined ? {} : { payload: opts.body }),
  });
}

/** The `code` of an error answer. */
export const codeOf = (res: LightMyRequestResponse): string => res.json<{ code: string }>().code;
