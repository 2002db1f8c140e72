/**
 * The `aitbc` command against a running coordinator, as a script would use it: output on stdout
 * (tables, or JSON with --json), errors on stderr, and an exit code for each kind of outcome.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyEnv, makeKeys, poll, postResult, registerMiner, submitJob } from './support/actors.js';
import { Http } from './support/http.js';
import {
  cleanupTempDirs,
  freePort,
  REPO_ROOT,
  type RunningServer,
  startServer,
  tempDir,
} from './support/server.js';
import type { JobView } from './support/types.js';
import { until } from './support/wait.js';

const CLI = join(REPO_ROOT, 'apps/cli/bin/aitbc.js');
const keys = makeKeys(['alice', 'bob'], ['m1']);
let server: RunningServer;
let http: Http;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `aitbc …args` with only the given environment (no developer's AITBC_* or ./.data leaks in). */
function aitbc(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
  const cwd = tempDir('aitbc-cli-');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', AITBC_URL: server.baseUrl, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

const asAlice = { AITBC_CLIENT_KEY: keys.clients.alice! };
const asAdmin = { AITBC_ADMIN_KEY: keys.admins.admin! };
const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

/** Completes a queued job the way a miner does, over REST. */
async function completeQueuedJob(jobId: string): Promise<void> {
  await registerMiner(http, keys.miners.m1!);
  const job = await poll(http, keys.miners.m1!);
  expect(job?.job_id).toBe(jobId);
  await postResult(http, keys.miners.m1!, job!, { echoed: 'hi' });
}

beforeAll(async () => {
  server = await startServer({ db: 'embedded', env: keyEnv(keys) });
  http = new Http(server.baseUrl);
});
afterAll(async () => {
  await server?.stop();
  cleanupTempDirs();
});

describe('aitbc jobs', () => {
  it('submits, lists, waits for, shows and verifies a job (exit 0)', async () => {
    const submitted = await aitbc(
      ['jobs', 'submit', '--payload', '{"text":"hi"}', '--json'],
      asAlice,
    );
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = json<JobView>(submitted);
    expect(job.state).toBe('QUEUED');

    const listed = await aitbc(['jobs', 'list'], asAlice);
    expect(listed.stdout).toMatch(new RegExp(`${job.job_id}\\s+QUEUED`));

    await completeQueuedJob(job.job_id);
    const waited = await aitbc(['jobs', 'wait', job.job_id, '--timeout', '10'], asAlice);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain('COMPLETED');
    expect(waited.stdout).toContain('"echoed": "hi"');

    const receipt = await aitbc(['jobs', 'receipt', job.job_id], asAlice);
    expect(receipt.code, receipt.stderr).toBe(0);
    expect(receipt.stdout).toMatch(/verified:\s+yes, key /);

    const answer = await http.get(`/v1/jobs/${job.job_id}/result`, keys.clients.alice);
    const dir = tempDir();
    writeFileSync(join(dir, 'result.json'), answer.text);
    writeFileSync(join(dir, 'keys.json'), (await http.get('/v1/receipts/keys')).text);
    const online = await aitbc(['jobs', 'verify', join(dir, 'result.json')]);
    expect(online.code, online.stderr).toBe(0);
    const offline = await aitbc(
      [
        'jobs',
        'verify',
        '-',
        '--keys',
        join(dir, 'keys.json'),
        '--json',
        '--url',
        'http://127.0.0.1:9',
      ],
      {},
      answer.text,
    );
    expect(offline.code, offline.stderr).toBe(0);
    expect(json<{ ok: boolean }>(offline).ok).toBe(true);

    const tampered = JSON.parse(answer.text);
    tampered.receipt.units += 1;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
    const refused = await aitbc(['jobs', 'verify', join(dir, 'tampered.json')]);
    expect(refused.code).toBe(8);
    expect(refused.stdout).toMatch(/verified:\s+NO \(BAD_SIGNATURE\)/);
  });

  it('submits with flags as constraints and waits in one go with --wait', async () => {
    const run = aitbc(
      [
        'jobs',
        'submit',
        '--payload',
        '{}',
        '--gpu',
        'nvidia',
        '--min-vram',
        '16',
        '--wait',
        '--json',
      ],
      asAlice,
    );
    const queued = await until('the job submitted by the CLI', async () => {
      const r = await http.get<{ items: JobView[] }>('/v1/jobs?state=QUEUED', keys.clients.alice);
      return r.body.items.find((j) => j.constraints.min_vram_gb === 16);
    });
    expect(queued.constraints.gpu).toBe('nvidia');
    await completeQueuedJob(queued.job_id);
    const done = await run;
    expect(done.code, done.stderr).toBe(0);
    expect(json<JobView>(done)).toMatchObject({ job_id: queued.job_id, state: 'COMPLETED' });
  });

  it('watches a job: one line per event as it happens, exit 0 once it completed', async () => {
    const job = await submitJob(http, keys.clients.alice!);
    const watching = aitbc(['jobs', 'watch', job.job_id, '--json'], asAlice);
    await completeQueuedJob(job.job_id);
    const watched = await watching;
    expect(watched.code, watched.stderr).toBe(0);
    const events = watched.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e: { type: string }) => e.type)).toEqual(['queued', 'running', 'completed']);
    const human = await aitbc(['jobs', 'watch', job.job_id], asAlice);
    expect(human.stdout).toMatch(/#\d+ COMPLETED miner m1, attempt 1, receipt \S+/);
  });

  it('exits 6 when the awaited job did not complete, 7 when the wait times out', async () => {
    const canceled = await submitJob(http, keys.clients.alice!);
    await http.post(`/v1/jobs/${canceled.job_id}/cancel`, {}, keys.clients.alice);
    const ended = await aitbc(['jobs', 'wait', canceled.job_id], asAlice);
    expect(ended.code).toBe(6);
    expect(ended.stdout).toContain('CANCELED');

    const queued = await submitJob(http, keys.clients.alice!);
    const timedOut = await aitbc(['jobs', 'wait', queued.job_id, '--timeout', '0.5'], asAlice);
    expect(timedOut.code).toBe(7);
    expect(timedOut.stderr).toContain('WAIT_TIMEOUT');
    await http.post(`/v1/jobs/${queued.job_id}/cancel`, {}, keys.clients.alice);
  });
});

describe('exit codes and errors', () => {
  it('2 for usage errors, before anything is sent', async () => {
    expect((await aitbc([])).code).toBe(2);
    expect((await aitbc(['jobs', 'frobnicate'], asAlice)).code).toBe(2);
    const badNumber = await aitbc(['jobs', 'submit', '--min-vram', 'lots'], asAlice);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--min-vram must be a number');
    const stray = await aitbc(['jobs', 'get', 'x', '--gpu', 'nvidia'], asAlice);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('does not take --gpu');
    const noKey = await aitbc(['jobs', 'list']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('AITBC_CLIENT_KEY');
  });

  it('3 with the code and the field at fault when the coordinator refuses the input', async () => {
    const run = await aitbc(['jobs', 'submit', '--constraints', '{"min_vram_gb": -1}'], asAlice);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('VALIDATION_FAILED');
    expect(run.stderr).toContain('constraints.min_vram_gb');
    const asJson = await aitbc(
      ['jobs', 'submit', '--constraints', '{"min_vram_gb": -1}', '--json'],
      asAlice,
    );
    expect(JSON.parse(asJson.stderr).error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(asJson.stdout).toBe('');
  });

  it("4 for another client's job, exactly as for a missing one", async () => {
    const bobs = await submitJob(http, keys.clients.bob!);
    const run = await aitbc(['jobs', 'get', bobs.job_id], asAlice);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('NOT_FOUND');
  });

  it('5 for a key of the wrong role, 9 when the coordinator cannot be reached', async () => {
    const wrongRole = await aitbc(['admin', 'stats', '--key', keys.clients.alice!]);
    expect(wrongRole.code).toBe(5);
    expect(wrongRole.stderr).toContain('FORBIDDEN');
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await aitbc(['jobs', 'list', '--url', closed], asAlice);
    expect(down.code).toBe(9);
  });
});

describe('aitbc services and admin', () => {
  it('lists and shows registry services without a key', async () => {
    const list = await aitbc(['services', '--search', 'transcod', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(json<{ id: string }[]>(list).map((s) => s.id)).toContain('video_transcoding');
    const show = await aitbc(['services', 'show', 'llm_inference']);
    expect(show.stdout).toMatch(/typed endpoint:\s+\/v1\/services\/llm\/inference/);
  });

  it('shows stats, jobs and miners to an admin', async () => {
    const stats = await aitbc(['admin', 'stats', '--json'], asAdmin);
    expect(stats.code, stats.stderr).toBe(0);
    expect(json<{ total_jobs: number }>(stats).total_jobs).toBeGreaterThan(0);
    const jobs = await aitbc(['admin', 'jobs', '--client', 'bob'], asAdmin);
    expect(jobs.stdout).toMatch(/\bbob\b/);
    expect(jobs.stdout).not.toMatch(/\balice\b/);
    const miners = await aitbc(['admin', 'miners'], asAdmin);
    expect(miners.stdout).toMatch(/m1\s+ONLINE/);
  });
});
