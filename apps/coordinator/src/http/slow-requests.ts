import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Cuts off requests whose body does not arrive within REQUEST_TIMEOUT_SECONDS. Node's own
 * `requestTimeout` only covers the headers once a request has been handed to the app, so a
 * client could hold a socket and a parser for ever by sending its body a byte at a time.
 * One interval checks every request still reading its body: no timer per request.
 */
export function registerSlowRequestCutoff(app: FastifyInstance, timeoutMs: number): void {
  const reading = new Map<IncomingMessage, number>();
  const done = async (request: { raw: IncomingMessage }) => {
    reading.delete(request.raw);
  };
  app.addHook('onRequest', async (request) => {
    const { headers } = request.raw;
    if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) {
      reading.set(request.raw, Date.now());
    }
  });
  app.addHook('preValidation', done);
  app.addHook('onResponse', done);
  app.addHook('onRequestAbort', done);

  const timer = setInterval(
    () => {
      const deadline = Date.now() - timeoutMs;
      for (const [raw, started] of reading) {
        if (started > deadline) continue;
        reading.delete(raw);
        raw.socket.destroy();
      }
    },
    Math.min(1000, timeoutMs),
  );
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
