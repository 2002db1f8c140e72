import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN_JS = join(REPO_ROOT, 'apps/coordinator/dist/main.js');

export type DbKind = 'embedded' | 'postgres';

export interface ServerOptions {
  db: DbKind;
  /** Required for `postgres`: the DATABASE_URL of a database this test file owns. */
  databaseUrl?: string;
  /** Reuse a DATA_DIR (restarts); by default a fresh temporary one, removed by `cleanup()`. */
  dataDir?: string;
  /** Extra environment (CONTRACT §8); nothing is inherited from the test runner but PATH/HOME. */
  env?: Record<string, string>;
  /** How long start-up may take (a fresh embedded DATA_DIR takes ~5 s). */
  bootTimeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningServer {
  baseUrl: string;
  port: number;
  pid: number;
  dataDir: string;
  databaseUrl: string | null;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<Exit>;
}

const children = new Set<ChildProcess>();
// A worker that exits (or crashes) must not leave coordinators behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

const tempDirs = new Set<string>();

/** A temporary directory removed by `cleanupTempDirs()`. */
export function tempDir(prefix = 'aitbc-it-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** A port nobody listens on right now (bind to 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node apps/coordinator/dist/main.js` and resolves once it prints its listening line.
 * Retries with another port when the one picked was taken in between (other test runs share
 * this machine).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (!existsSync(MAIN_JS)) {
    throw new Error(`${MAIN_JS} is missing: run \`npx turbo run build\` first`);
  }
  if (options.db === 'postgres' && !options.databaseUrl) {
    throw new Error('startServer({db: "postgres"}) needs a databaseUrl');
  }
  const dataDir = options.dataDir ?? tempDir();
  for (let tries = 1; ; tries++) {
    try {
      return await spawnOnce(options, dataDir, await freePort());
    } catch (err) {
      if (tries >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
}

function spawnOnce(options: ServerOptions, dataDir: string, port: number): Promise<RunningServer> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dataDir,
    APP_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    ...(options.db === 'postgres' ? { DATABASE_URL: options.databaseUrl as string } : {}),
    ...options.env,
  };
  // cwd = DATA_DIR: no stray .env file of the repository or the runner is read.
  const child = spawn(process.execPath, [MAIN_JS], { cwd: dataDir, env, stdio: 'pipe' });
  children.add(child);
  let output = '';
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  const server: RunningServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    dataDir,
    databaseUrl: options.db === 'postgres' ? (options.databaseUrl as string) : null,
    kill: (signal = 'SIGTERM') => {
      child.kill(signal);
    },
    exited,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };

  return new Promise<RunningServer>((resolve, reject) => {
    const timeoutMs = options.bootTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`coordinator did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(`listening on http://127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve(server);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`coordinator exited during start-up (${code ?? signal}):\n${output}`));
    });
  });
}
