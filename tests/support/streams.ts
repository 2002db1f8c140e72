import WebSocket from 'ws';

/** One server-sent event as read off the wire. */
export interface SseMessage {
  event: string;
  id: string | null;
  data: string;
}

/**
 * A tRPC SSE subscription read with fetch (Node 20 has no EventSource): `next()` gives each
 * message (pings skipped) or null once the server ended the stream; `close()` drops it.
 */
export async function openSse(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const queue: SseMessage[] = [];
  async function next(): Promise<SseMessage | null> {
    for (;;) {
      const message = queue.shift();
      if (message) return message;
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return null;
      buffer += chunk.value;
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const m: SseMessage = { event: 'message', id: null, data: '' };
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === 'event') m.event = value;
          else if (field === 'id') m.id = value;
          else if (field === 'data') m.data += value;
        }
        if (m.event !== 'ping' && block.trim() !== '' && !block.startsWith(':')) queue.push(m);
      }
    }
  }
  return { status: res.status, headers: res.headers, next, close: () => abort.abort() };
}

/** A raw tRPC WebSocket connection (the wsLink protocol): JSON-RPC-like messages by id. */
export async function openWs(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers });
  const inbox: unknown[] = [];
  let wake: (() => void) | null = null;
  socket.on('message', (raw) => {
    const text = raw.toString();
    if (text === 'PING') return socket.send('PONG');
    inbox.push(JSON.parse(text));
    wake?.();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
  return {
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    async next(): Promise<Record<string, unknown>> {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return inbox.shift() as Record<string, unknown>;
    },
    close: async () => {
      socket.close();
      await closed;
    },
  };
}
