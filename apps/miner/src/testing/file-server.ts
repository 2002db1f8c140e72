import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FileServer {
  baseUrl: string;
  /** Resolves once the next response has been sent completely. */
  nextFinished(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the files of `dir` over HTTP, the way a miner's inputs arrive (a stand-in for object
 * storage); `/status/<n>` answers that status.
 */
export async function serveFiles(dir: string): Promise<FileServer> {
  const finished: (() => void)[] = [];
  const server = createServer((req, res) => {
    res.once('finish', () => {
      for (const wake of finished.splice(0)) wake();
    });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const status = /^\/status\/(\d{3})$/.exec(path)?.[1];
    const file = join(dir, decodeURIComponent(path));
    if (status || !file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(status ? Number(status) : 404).end('no such file');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    nextFinished: () => new Promise((resolve) => finished.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
