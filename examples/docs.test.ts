/**
 * The docs are executed, not trusted: this starts the built coordinator, runs the README
 * quickstart and examples/rest/quickstart.sh against it with bash and the README's verifyReceipt
 * snippet with node, and checks that README.md, .env.example and ARCHITECTURE.md name what the
 * code really has.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  REPO_ROOT as ROOT,
  type RunningServer,
  startServer,
} from '../tests/support/server.js';

const QUICKSTART_SH = join(ROOT, 'examples/rest/quickstart.sh');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

const KEYS = {
  client: 'ck_docs_alice_0123456789',
  miner: 'mk_docs_m1_0123456789',
  admin: 'ak_docs_root_0123456789',
};

/** The variables config.ts reads: the keys of its EnvSchema object. */
function configVariables(): string[] {
  const source = read('apps/coordinator/src/config/config.ts');
  const start = source.indexOf('const EnvSchema');
  const end = source.indexOf('.superRefine', start);
  const schema = source.slice(start, end === -1 ? undefined : end);
  return [...schema.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

/** The fenced block right after the line `<!-- ci:run <name> -->` of README.md. */
function readmeBlock(name: string, lang: string): string {
  const marker = `<!-- ci:run ${name} -->`;
  const lines = read('README.md').split('\n');
  const at = lines.indexOf(marker);
  const end = lines.indexOf('```', at + 2);
  if (at === -1 || lines[at + 1] !== `\`\`\`${lang}` || end === -1)
    throw new Error(`README.md has no \`\`\`${lang} block right after ${marker}`);
  return lines.slice(at + 2, end).join('\n');
}

/** Inline `code` spans outside fenced blocks. */
function inlineCode(markdown: string): string[] {
  const prose = markdown.replace(/^[ \t]*```[\s\S]*?^[ \t]*```/gm, '');
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
}

/** Repository paths among them: under a top-level folder, or a root file such as `turbo.json`. */
function repoPaths(spans: string[], rootFiles: boolean): string[] {
  const underTop = /^(apps|packages|examples|tests|scripts|sdk|\.ci)\/[\w./-]*$/;
  const rootFile = /^[\w.-]+\.(ts|mjs|md|json)$/;
  return spans.filter((s) => underTop.test(s) || (rootFiles && rootFile.test(s)));
}

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs a command in the repository root; never rejects for a non-zero exit. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** Submit, register, poll, result over fetch: the receipt of one completed job. */
async function completeOneJob(base: string) {
  const call = async (path: string, key: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const job = await call('/v1/jobs', KEYS.client, { payload: { prompt: 'docs' } });
  const gpus = [{ model: 'RTX 4090', vram_gb: 24 }];
  await call('/v1/miners/register', KEYS.miner, { capabilities: { gpus }, concurrency: 1 });
  const { job: assigned } = await call('/v1/miners/poll', KEYS.miner, { max_wait_seconds: 5 });
  expect(assigned?.job_id).toBe(job.job_id);
  const accepted = await call(`/v1/miners/${job.job_id}/result`, KEYS.miner, {
    lease_id: assigned.lease_id,
    result: { ok: true },
  });
  return accepted.receipt as { signature: { key_id: string }; units: number };
}

describe('the README quickstart and examples/rest run against the built server', () => {
  let server: RunningServer | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startServer({
      db: 'embedded',
      env: {
        CLIENT_API_KEYS: `alice:${KEYS.client}`,
        MINER_API_KEYS: `m1:${KEYS.miner}`,
        ADMIN_API_KEYS: `root:${KEYS.admin}`,
      },
    });
    env = { ...process.env, BASE: server.baseUrl, CLIENT_KEY: KEYS.client, MINER_KEY: KEYS.miner };
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  }, 30_000);

  it('runs the README block under bash -euo pipefail', { timeout: 90_000 }, async () => {
    const { code, output } = await run(
      'bash',
      ['-euo', 'pipefail', '-c', readmeBlock('quickstart', 'sh')],
      env,
    );
    expect(code, output).toBe(0);
    expect(output).toMatch(/^receipt verified: \S+ signed by \S+$/m);
  });

  it('runs examples/rest/quickstart.sh', { timeout: 90_000 }, async () => {
    const { code, output } = await run('bash', ['-euo', 'pipefail', QUICKSTART_SH], env);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^receipt verified: \S+ signed by \S+$/m);
  });

  it('runs the README verifyReceipt snippet on a fresh receipt', { timeout: 90_000 }, async () => {
    const receipt = await completeOneJob(env.BASE!);
    // The snippet expects BASE and a receipt in scope, and shows the verdict in a comment.
    const program = [
      'const BASE = process.env.BASE;',
      'const receipt = JSON.parse(process.env.RECEIPT);',
      readmeBlock('verify-receipt', 'js'),
      "if (!verdict.ok) throw new Error('not verified: ' + verdict.reason);",
      "console.log('verified by', verdict.keyId);",
    ].join('\n');
    const runEnv = { ...env, RECEIPT: JSON.stringify(receipt) };
    const { code, output } = await run(
      process.execPath,
      ['--input-type=module', '-e', program],
      runEnv,
    );
    expect(code, output).toBe(0);
    expect(output).toContain(`verified by ${receipt.signature.key_id}`);
    // A changed receipt must not verify with the same snippet.
    const forged = { ...runEnv, RECEIPT: JSON.stringify({ ...receipt, units: receipt.units + 1 }) };
    const tampered = await run(process.execPath, ['--input-type=module', '-e', program], forged);
    expect(tampered.code).not.toBe(0);
    expect(tampered.output).toContain('BAD_SIGNATURE');
  });
});

describe('the docs match the code', () => {
  it('quickstart.sh is the README session, line for line', () => {
    // Everything after the line that moves to the repository root.
    const script = read('examples/rest/quickstart.sh');
    const cd = /^cd "\$\(dirname .*\n/m.exec(script);
    expect(cd, 'quickstart.sh should cd to the repository root').not.toBeNull();
    const session = script.slice(cd!.index + cd![0].length);
    expect(session.trim()).toBe(readmeBlock('quickstart', 'sh').trim());
  });

  it('README and .env.example name every variable config.ts reads', () => {
    const names = configVariables();
    expect(names).toContain('PORT');
    expect(names.length).toBeGreaterThan(15);
    const readme = read('README.md');
    const envExample = read('.env.example');
    expect(names.filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
    expect(names.filter((n) => !new RegExp(`^#? ?${n}=`, 'm').test(envExample))).toEqual([]);
  });

  it("README's route table lists every route of the OpenAPI document", () => {
    const document = JSON.parse(read('apps/coordinator/generated/openapi.json')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(30);
    const readme = read('README.md');
    expect(routes.filter((route) => !readme.includes(`| \`${route}\``))).toEqual([]);
  });

  it('every file ARCHITECTURE.md and README.md name exists', () => {
    const architecture = repoPaths(inlineCode(read('ARCHITECTURE.md')), true);
    const readme = repoPaths(inlineCode(read('README.md')), false);
    expect(architecture.length).toBeGreaterThan(10);
    const missing = [...architecture, ...readme].filter((p) => !existsSync(join(ROOT, p)));
    expect(missing).toEqual([]);
  });
});
