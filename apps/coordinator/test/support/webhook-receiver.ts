import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local webhook receiver (the external party of a webhook test): records every POST and
 * answers with the next status of `statuses` (200 once they run out). `next()` waits for a
 * delivery, so tests wait on an event instead of sleeping.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Statuses to answer with, in order; `'hang'` never answers (a timeout). */
  statuses: (number | 'hang')[] = [];
  private waiters: ((r: ReceivedWebhook) => void)[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const receiver: WebhookReceiver = new WebhookReceiver(
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const got = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
          receiver.received.push(got);
          receiver.waiters.shift()?.(got);
          const status = receiver.statuses.shift() ?? 200;
          if (status !== 'hang') res.writeHead(status).end();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/aitbc`;
  }

  /** The delivery after the ones already received (resolved when it arrives). */
  next(): Promise<ReceivedWebhook> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
