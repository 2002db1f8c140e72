import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalSha256, type JwkSet, verifyReceipt } from '@aitbc/receipts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allSecrets, type Keys, keyEnv, makeKeys, submitJob } from './support/actors.js';
import { Http } from './support/http.js';
import {
  cleanupTempDirs,
  type Exit,
  REPO_ROOT,
  type RunningServer,
  startServer,
  tempDir,
} from './support/server.js';
import type { JobView, Receipt } from './support/types.js';
import { until, within } from './support/wait.js';

/**
 * The miner agent as an operator runs it: `node apps/miner/dist/main.js` as a child process
 * against the built coordinator, jobs submitted with plain HTTP, and a SIGTERM that drains.
 */

const AGENT_JS = join(REPO_ROOT, 'apps/miner/dist/main.js');

interface AgentProcess {
  /** The JSON log lines printed so far. */
  lines: Record<string, unknown>[];
  output(): string;
  /** Resolves with the first log line `match` accepts. */
  waitForLine(what: string, match: (l: Record<string, unknown>) => boolean): Promise<unknown>;
  exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

const agents = new Set<ChildProcess>();

function startAgent(server: RunningServer, minerKey: string, args: string[] = []): AgentProcess {
  if (!existsSync(AGENT_JS)) throw new Error(`${AGENT_JS} is missing: run \`npx turbo run build\``);
  const child = spawn(
    process.execPath,
    [AGENT_JS, '--url', server.baseUrl, '--json', '--services', 'echo', ...args],
    {
      cwd: tempDir('aitbc-agent-'),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        MINER_API_KEY: minerKey,
        MINER_POLL_WAIT_SECONDS: '5',
      },
      stdio: 'pipe',
    },
  );
  agents.add(child);
  let output = '';
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const complete = output.split('\n').slice(0, -1);
    for (const text of complete.slice(lines.length)) lines.push(parseLine(text));
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      agents.delete(child);
      resolve({ code, signal });
    });
  });
  return {
    lines,
    output: () => output,
    exited,
    kill: (signal) => child.kill(signal),
    waitForLine: (what, match) =>
      within(
        20_000,
        `agent log line "${what}" (output so far:\n${output})`,
        new Promise((resolve) => {
          const check = () => {
            const found = lines.find(match);
            if (found) resolve(found);
            else waiters.push(check);
          };
          check();
        }),
      ),
  };
}

/** Lines that are not JSON (a crash trace) are kept as text, so failures show them. */
function parseLine(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}

describe('miner agent (child process against the built coordinator)', () => {
  let keys: Keys;
  let server: RunningServer;
  let http: Http;
  let published: JwkSet;
  const alice = () => keys.clients.alice as string;

  const job = async (id: string) => (await http.get<JobView>(`/v1/jobs/${id}`, alice())).body;
  const completed = (id: string) =>
    until(
      `job ${id} COMPLETED`,
      async () => ((await job(id)).state === 'COMPLETED' ? true : null),
      {
        timeoutMs: 20_000,
      },
    );
  const resultOf = async (id: string) =>
    (
      await http.get<{ state: string; result: unknown; receipt: Receipt | null }>(
        `/v1/jobs/${id}/result`,
        alice(),
      )
    ).body;

  beforeAll(async () => {
    keys = makeKeys(['alice'], ['rig']);
    server = await startServer({
      db: 'embedded',
      env: { ...keyEnv(keys), HEARTBEAT_INTERVAL_SECONDS: '1', HEARTBEAT_TIMEOUT_SECONDS: '5' },
    });
    http = new Http(server.baseUrl, allSecrets(keys));
    published = (await http.get<JwkSet>('/v1/receipts/keys')).body;
  });
  afterEach(() => {
    for (const child of agents) child.kill('SIGKILL');
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  it('runs an echo job and a sleep job to COMPLETED with receipts, and drains on SIGTERM', async () => {
    const agent = startAgent(server, keys.miners.rig as string, ['--concurrency', '2']);
    const registered = (await agent.waitForLine('registered', (l) => l.msg === 'registered')) as {
      miner_id: string;
    };
    expect(agent.lines.find((l) => l.msg === 'executors')).toMatchObject({ offered: 'echo' });

    const echo = await submitJob(http, alice(), { payload: { hello: 'world', n: [1, 2] } });
    const sleep = await submitJob(http, alice(), { payload: { sleep_ms: 200, tag: 'nap' } });
    await completed(echo.job_id);
    await completed(sleep.job_id);

    for (const [id, payload] of [
      [echo.job_id, { hello: 'world', n: [1, 2] }],
      [sleep.job_id, { sleep_ms: 200, tag: 'nap' }],
    ] as const) {
      const answer = await resultOf(id);
      expect(answer).toMatchObject({ state: 'COMPLETED', result: payload });
      const receipt = answer.receipt as Receipt;
      expect(receipt).toMatchObject({ job_id: id, provider: registered.miner_id, client: 'alice' });
      expect(receipt.result_sha256).toBe(canonicalSha256(payload));
      expect(verifyReceipt(receipt, published)).toMatchObject({ ok: true });
    }

    // A job still running when SIGTERM arrives is finished (drained), then the agent exits 0.
    const last = await submitJob(http, alice(), { payload: { sleep_ms: 1500 } });
    await agent.waitForLine(
      'last job started',
      (l) => l.msg === 'job started' && l.job_id === last.job_id,
    );
    agent.kill('SIGTERM');
    const exit = await within(20_000, 'agent exit after SIGTERM', agent.exited);
    expect(exit, agent.output()).toEqual({ code: 0, signal: null });
    expect((await job(last.job_id)).state).toBe('COMPLETED');
    expect(agent.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['draining', 'job completed', 'stopped']),
    );
    const drainedAt = agent.lines.findIndex((l) => l.msg === 'draining');
    const lastDone = agent.lines.findIndex(
      (l) => l.msg === 'job completed' && l.job_id === last.job_id,
    );
    expect(lastDone).toBeGreaterThan(drainedAt);
  });

  it('exits 0 by itself after --once jobs', async () => {
    const agent = startAgent(server, keys.miners.rig as string, ['--once', '1']);
    await agent.waitForLine('registered', (l) => l.msg === 'registered');
    const one = await submitJob(http, alice(), { payload: { once: true } });
    const exit = await within(20_000, 'agent exit after --once 1', agent.exited);
    expect(exit, agent.output()).toEqual({ code: 0, signal: null });
    expect(await resultOf(one.job_id)).toMatchObject({
      state: 'COMPLETED',
      result: { once: true },
    });
  });

  it('exits 2 with the problem named when the configuration is invalid', async () => {
    const agent = startAgent(server, '', ['--concurrency', 'many']);
    const exit = await within(20_000, 'agent exit on bad config', agent.exited);
    expect(exit.code).toBe(2);
    expect(agent.output()).toContain('--key / MINER_API_KEY: required');
    expect(agent.output()).toContain('--concurrency / MINER_CONCURRENCY');
  });
});
