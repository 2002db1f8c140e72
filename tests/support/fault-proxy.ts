import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy in front of the coordinator that can be told to answer the next requests
 * with a fault, so that client retries are tested against the real server without mocking the
 * SDK. Everything else is forwarded as is.
 */
export type Fault =
  /** Answer with this status (and headers) instead of forwarding. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Close the connection without an answer, before forwarding. */
  | { kind: 'drop' }
  /** Forward the request (the server acts on it), then close the connection without the answer. */
  | { kind: 'drop-answer' }
  /** Never answer (until the proxy closes): for request timeouts. */
  | { kind: 'hang' };

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The fault applied to it, or 'forwarded'. */
  outcome: Fault['kind'] | 'forwarded';
}

export interface FaultProxy {
  url: string;
  /** Every request that reached the proxy, oldest first. */
  log: ProxiedRequest[];
  /** Applies `fault` to the next `count` requests (whose path contains `pathPart`, if given). */
  failNext(count: number, fault: Fault, pathPart?: string): void;
  /** Cuts every answer still streaming (SSE) whose path contains `pathPart`; returns how many. */
  cutStreams(pathPart: string): number;
  /** Points the proxy at another upstream (a restarted coordinator on a new port). */
  setUpstream(baseUrl: string): void;
  close(): Promise<void>;
}

interface Pending {
  remaining: number;
  fault: Fault;
  pathPart: string | undefined;
}

export async function startFaultProxy(upstreamBaseUrl: string): Promise<FaultProxy> {
  let upstream = new URL(upstreamBaseUrl);
  const pending: Pending[] = [];
  const log: ProxiedRequest[] = [];
  const streaming = new Set<{ url: string; res: ServerResponse }>();

  const takeFault = (url: string): Fault | undefined => {
    const match = pending.find((p) => p.remaining > 0 && (!p.pathPart || url.includes(p.pathPart)));
    if (!match) return undefined;
    match.remaining -= 1;
    return match.fault;
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const fault = takeFault(url);
    log.push({
      method: req.method ?? '',
      url,
      headers: req.headers,
      outcome: fault?.kind ?? 'forwarded',
    });
    if (!fault) {
      const entry = { url, res };
      streaming.add(entry);
      res.once('close', () => streaming.delete(entry));
      return forward(req, res, upstream, false);
    }
    if (fault.kind === 'drop') return void req.socket.destroy();
    if (fault.kind === 'drop-answer') return forward(req, res, upstream, true);
    if (fault.kind === 'hang') return;
    req.resume();
    res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
    res.end(fault.body ?? `proxy fault ${fault.status}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    failNext(count, fault, pathPart) {
      pending.push({ remaining: count, fault, pathPart });
    },
    cutStreams(pathPart) {
      let cut = 0;
      for (const entry of streaming) {
        if (!entry.url.includes(pathPart)) continue;
        entry.res.socket?.destroy();
        cut++;
      }
      return cut;
    },
    setUpstream(baseUrl) {
      upstream = new URL(baseUrl);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends the request upstream and the answer back, or (dropAnswer) closes the client's socket. */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  dropAnswer: boolean,
): void {
  const outgoing = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    (answer) => {
      if (dropAnswer) {
        answer.resume();
        answer.once('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  outgoing.once('error', () => req.socket.destroy());
  req.pipe(outgoing);
}
