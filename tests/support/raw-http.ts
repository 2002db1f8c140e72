import { type Agent, request } from 'node:http';

export interface SlowUpload {
  /** Resolves once the server answered `100 Continue`: it has the request and waits for the body. */
  accepted: Promise<void>;
  /** Sends the rest of the body. */
  finish(): void;
  response: Promise<{ status: number; text: string }>;
}

/**
 * A POST whose body arrives in two parts: a request that is provably in flight (headers read,
 * body not complete) for as long as the test wants.
 */
export function slowUpload(
  agent: Agent,
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): SlowUpload {
  const half = Math.floor(body.length / 2);
  const req = request(`${baseUrl}${path}`, {
    method: 'POST',
    agent,
    headers: {
      ...headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      expect: '100-continue',
    },
  });
  const accepted = new Promise<void>((resolve, reject) => {
    req.once('continue', () => {
      req.write(body.slice(0, half));
      resolve();
    });
    req.once('error', reject);
  });
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.once('error', reject);
    });
    req.once('error', reject);
  });
  // Either promise may be left unobserved when the other one fails first.
  accepted.catch(() => {});
  response.catch(() => {});
  req.flushHeaders();
  return { accepted, finish: () => req.end(body.slice(half)), response };
}

/**
 * True once the server no longer takes new requests: the connection is refused, or it answers
 * 503 while closing. A fresh connection each time, so no pooled socket hides the answer.
 */
export function refusesNewRequests(baseUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${baseUrl}/v1/health`, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 503);
    });
    req.once('error', () => resolve(true));
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * A JSON POST through `agent`. With a keep-alive agent the connection stays open after the
 * answer, as it does for fetch and most HTTP clients, until the test destroys the agent.
 */
export function postJson(
  agent: Agent,
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  json: unknown,
): Promise<{ status: number; headers: Headers; text: string }> {
  const body = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, {
      method: 'POST',
      agent,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.once('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, text });
      });
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}
