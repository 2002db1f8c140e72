import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** What the fake answers: a status and a JSON body, or `'hang'` to never answer. */
export type FakeReply = { status: number; body: unknown } | 'hang';

export interface FakeOpenAi {
  baseUrl: string;
  requests: SeenRequest[];
  /** The reply to the next requests (a chat completion by default). */
  reply(next: FakeReply): void;
  /** Resolves when the next request has arrived. */
  nextRequest(): Promise<SeenRequest>;
  close(): Promise<void>;
}

/** A chat completion as OpenAI, vLLM and Ollama shape it. */
export function completion(text: string, usage = { prompt: 7, completion: 5 }, finish = 'stop') {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'served-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    },
  };
}

/**
 * A stand-in for an OpenAI-compatible server (an external service): records each request and
 * answers with whatever the test set. Hanging requests are ended by `close()`.
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: SeenRequest[] = [];
  const waiters: ((r: SeenRequest) => void)[] = [];
  const hanging = new Set<ServerResponse>();
  let next: FakeReply = { status: 200, body: completion('hello') };

  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const seen = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
    };
    requests.push(seen);
    for (const wake of waiters.splice(0)) wake(seen);
    if (next === 'hang') {
      hanging.add(res);
      return;
    }
    res.writeHead(next.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(next.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    reply: (r) => {
      next = r;
    },
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
