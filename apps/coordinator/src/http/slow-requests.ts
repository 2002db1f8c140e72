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
  // Callback hooks, not async ones: they run on every request, and a promise each adds up.
  const doneReading = (request: { raw: IncomingMessage }, _reply: unknown, next: () => void) => {
    reading.delete(request.raw);
    next();
  };
  app.addHook('onRequest', (request, _reply, next) => {
    const { headers } = request.raw;
    if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) {
      reading.set(request.raw, Date.now());
    }
    next();
  });
  app.addHook('preValidation', doneReading);
  app.addHook('onResponse', doneReading);
  app.addHook('onRequestAbort', (request, next) => {
    reading.delete(request.raw);
    next();
  });

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
