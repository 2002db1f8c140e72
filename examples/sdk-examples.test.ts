/**
 * The SDK examples and `npm run demo`, run as a user runs them: the client quickstart next to the
 * stand-in REST miner, the offline receipt check on what it saved (and on a tampered copy), and
 * the whole-marketplace demo. They use the built packages, as installed ones would be.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyEnv, makeKeys } from '../tests/support/actors.js';
import {
  cleanupTempDirs,
  REPO_ROOT,
  type RunningServer,
  startServer,
  tempDir,
} from '../tests/support/server.js';

interface Outcome {
  code: number | null;
  output: string;
}

/** `node --import tsx <script> …args` from the repository root; never rejects on exit codes. */
function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let output = '';
    const collect = (d: Buffer) => {
      output += d;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('examples/client-quickstart and examples/verify-offline', () => {
  const keys = makeKeys(['alice'], ['m1']);
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ db: 'embedded', env: keyEnv(keys) });
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  it('submits and waits with the SDK, and the saved receipt verifies offline (a tampered one not)', async () => {
    const env = {
      BASE: server.baseUrl,
      CLIENT_KEY: keys.clients.alice!,
      MINER_KEY: keys.miners.m1!,
    };
    const saved = tempDir();
    const [miner, client] = await Promise.all([
      runScript('examples/client-quickstart/demo-miner.ts', ['--jobs', '1'], env),
      runScript('examples/client-quickstart/quickstart.ts', ['--save', saved], env),
    ]);
    expect(client.code, client.output).toBe(0);
    expect(client.output).toMatch(/receipt \S+ verified, signed by \S+/);
    expect(miner.code, miner.output).toBe(0);

    const receipt = join(saved, 'receipt.json');
    const keysFile = join(saved, 'keys.json');
    const verified = await runScript('examples/verify-offline/verify.ts', [receipt, keysFile], {});
    expect(verified.code, verified.output).toBe(0);
    expect(verified.output).toContain('receipt verified:');

    const tampered = JSON.parse(readFileSync(receipt, 'utf8'));
    tampered.units += 1;
    writeFileSync(join(saved, 'tampered.json'), JSON.stringify(tampered));
    const refused = await runScript(
      'examples/verify-offline/verify.ts',
      [join(saved, 'tampered.json'), keysFile],
      {},
    );
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('BAD_SIGNATURE');
  });
});

describe('npm run demo', () => {
  it("runs the marketplace, shows each job's stream, verifies every receipt and exits 0", async () => {
    const demo = await runScript('examples/demo/demo.ts', [], {}, ['--conditions=source']);
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toMatch(/\(echo\): #\d+ queued → QUEUED\n/);
    expect(demo.output).toMatch(/\(echo\): #\d+ running → RUNNING on demo-miner, attempt 1/);
    expect(demo.output).toMatch(/\(echo\): #\d+ completed → COMPLETED on demo-miner.*, receipt /);
    expect(demo.output).toMatch(/\(llm_inference\): #\d+ completed → COMPLETED/);
    expect(demo.output).toMatch(/\(canceled while running\): #\d+ running → RUNNING on demo-miner/);
    expect(demo.output).toMatch(/\(canceled while running\): #\d+ progress → RUNNING 10% \(slept/);
    expect(demo.output).toMatch(/\(canceled while running\): #\d+ canceled → CANCELED/);
    // Each job's events are printed in the order of their ids: the stream has no gaps or repeats.
    for (const label of ['echo', 'llm_inference', 'canceled while running']) {
      const ids = [...demo.output.matchAll(new RegExp(`\\(${label}\\): #(\\d+) `, 'g'))].map((m) =>
        Number(m[1]),
      );
      expect(ids.length).toBeGreaterThanOrEqual(3);
      expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    }
    expect(demo.output).toMatch(/\(canceled while running\): the miner stopped working on it/);
    expect(demo.output.match(/receipt verified: /g)).toHaveLength(2);
    expect(demo.output).toContain('every job ended as expected');
  });
});
