import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { freePort } from './server.js';
import { until } from './wait.js';

/**
 * Whether this run covers Redis. vitest.config.ts turns it on when Redis answers or when
 * CI=true; in CI an unreachable Redis then fails the suites that use it, it is never skipped.
 */
export const redisEnabled = (): boolean => process.env.AITBC_IT_REDIS === 'on';

/** The shared Redis of the machine (never stopped by tests: others use it). */
export const sharedRedisUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for one test, so runs sharing a Redis never see each other's keys. */
export const randomPrefix = (): string => `aitbc-it-${randomBytes(6).toString('hex')}:`;

/** Resolves when something accepts TCP connections on `port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket.end() && true));
    socket.once('error', () => resolve(false));
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: the outage a coordinator must survive. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is kept on disk). */
  restart(): Promise<void>;
}

/** A redis-server of this test's own on a free port, nothing kept on disk. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await until(`redis-server on ${port}`, () => listening(port), { timeoutMs: 10_000 });
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  process.once('exit', () => child?.kill('SIGKILL'));
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start };
}
