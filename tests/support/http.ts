/** A response as the tests see it: status, headers, raw text and the parsed JSON (or the text). */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface CallOptions {
  /** API key, sent as X-Api-Key (or as `Authorization: Bearer` with `bearer: true`). */
  key?: string | null;
  bearer?: boolean;
  /** A JSON body (sets Content-Type). */
  json?: unknown;
  /** A raw body, sent as is with whatever headers are given. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

// "    at handler (/srv/app/dist/x.js:12:5)" and the like.
const STACK_TRACE = /\bat [^\n]*\.js:\d+/;

/**
 * Global fetch with the checks every response of the API must pass, wherever it is called:
 * no stack trace, no raw API key, no 500, and every error is JSON with a string code and
 * message. Problems are collected in `violations`; test files assert it stays empty.
 */
export class Http {
  readonly violations: string[] = [];

  constructor(
    public baseUrl: string,
    private readonly secrets: readonly string[] = [],
  ) {}

  get<T = unknown>(path: string, key?: string | null, opts: CallOptions = {}) {
    return this.call<T>('GET', path, { key, ...opts });
  }

  post<T = unknown>(path: string, json: unknown, key?: string | null, opts: CallOptions = {}) {
    return this.call<T>('POST', path, { key, json, ...opts });
  }

  async call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) {
      if (opts.bearer) headers.authorization = `Bearer ${opts.key}`;
      else headers['x-api-key'] = opts.key;
    }
    let body: string | Uint8Array | undefined = opts.raw;
    if (opts.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if (res.headers.get('content-type')?.includes('application/json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        this.violations.push(`${method} ${path}: ${res.status} declares JSON but is not`);
      }
    }
    this.inspect(`${method} ${path}`, res, text, parsed);
    return { status: res.status, headers: res.headers, text, body: parsed as T };
  }

  /** The checks of every response; also used for requests made without `call`. */
  inspect(what: string, res: { status: number; headers: Headers }, text: string, parsed: unknown) {
    const type = res.headers.get('content-type') ?? '';
    // Minified third-party assets of /docs may contain anything; the API's own answers may not.
    if (!/javascript|css/.test(type) && STACK_TRACE.test(text)) {
      this.violations.push(`${what}: ${res.status} body contains a stack trace: ${text}`);
    }
    for (const secret of this.secrets) {
      if (text.includes(secret))
        this.violations.push(`${what}: ${res.status} body contains a raw API key`);
    }
    if (res.status === 500) this.violations.push(`${what}: 500 ${text}`);
    if (res.status >= 400) {
      const e = parsed as { code?: unknown; message?: unknown } | null;
      if (typeof e?.code !== 'string' || typeof e.message !== 'string') {
        this.violations.push(`${what}: ${res.status} error without string code/message: ${text}`);
      }
    }
  }
}
