import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MinerEvent } from '@aitbc/miner';
import {
  type Agent,
  createLogger,
  detectFfmpeg,
  type HardwareProfile,
  startAgent,
} from '@aitbc/miner-agent';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  completion,
  type FakeOpenAi,
  startFakeOpenAi,
} from '../apps/miner/src/testing/fake-openai.js';
import { type FileServer, serveFiles } from '../apps/miner/src/testing/file-server.js';
import { allSecrets, type Keys, keyEnv, makeKeys } from './support/actors.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer, tempDir } from './support/server.js';
import type { JobView, Receipt } from './support/types.js';
import { until } from './support/wait.js';

/**
 * `startAgent` in-process (as `aitbc miner start` or a demo runs it) against the built
 * coordinator, with every executor doing real work: ffmpeg on a generated video served over
 * HTTP, the LLM executor against a fake OpenAI-compatible server. The registry requires a GPU
 * for both services, so the hardware probe reports one: this machine's GPU is what is faked.
 */

const FFMPEG = await detectFfmpeg();

const FAKE_GPU: HardwareProfile = {
  gpus: [{ model: 'NVIDIA GeForce RTX 4090', vram_gb: 24, driver: '550.54.14' }],
  cuda: '12.4',
  cpu: { model: 'test cpu', cores: 2 },
  memory_gb: 16,
};

interface ResultBody {
  state: string;
  result: unknown;
  error: { code: string; message: string } | null;
  receipt: Receipt | null;
}

describe('startAgent in-process, real executors', () => {
  let keys: Keys;
  let server: RunningServer;
  let http: Http;
  let llm: FakeOpenAi;
  let files: FileServer;
  let agent: Agent;
  const events: MinerEvent[] = [];
  const logLines: string[] = [];
  const resultsDir = tempDir('aitbc-agent-results-');
  const alice = () => keys.clients.alice as string;

  const submit = async (body: Record<string, unknown>) => {
    const r = await http.post<JobView>('/v1/jobs', body, alice());
    expect(r.status, r.text).toBe(201);
    return r.body.job_id;
  };
  const finished = (id: string) =>
    until(
      `job ${id} terminal`,
      async () => {
        const r = await http.get<ResultBody>(`/v1/jobs/${id}/result`, alice());
        return r.status === 200 ? r.body : null;
      },
      { timeoutMs: 20_000 },
    );
  const nextEvent = (match: (e: MinerEvent) => boolean) =>
    until('agent event', () => events.find(match), { timeoutMs: 20_000 });

  beforeAll(async () => {
    keys = makeKeys(['alice'], ['rig']);
    const inputs = tempDir('aitbc-agent-inputs-');
    if (FFMPEG) {
      execFileSync('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
        ...['-i', 'testsrc=duration=1:size=160x120:rate=10', join(inputs, 'clip.mp4')],
      ]);
    }
    [server, llm, files] = await Promise.all([
      startServer({ db: 'embedded', env: { ...keyEnv(keys), HEARTBEAT_INTERVAL_SECONDS: '1' } }),
      startFakeOpenAi(),
      serveFiles(inputs),
    ]);
    http = new Http(server.baseUrl, allSecrets(keys));
    const sink = { write: (line: string) => logLines.push(line) };
    agent = await startAgent(
      {
        url: server.baseUrl,
        apiKey: keys.miners.rig as string,
        concurrency: 2,
        pollWaitSeconds: 5,
        resultsDir,
        llmBaseUrl: llm.baseUrl,
        llmModel: 'tiny-model',
      },
      {
        probe: async () => FAKE_GPU,
        logger: createLogger({ json: true, stdout: sink, stderr: sink }),
        onEvent: (e) => events.push(e),
      },
    );
  });
  afterEach(() => {
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await agent?.stop({ graceMs: 1000 });
    await Promise.all([server?.stop(), llm?.close(), files?.close()]);
    cleanupTempDirs();
  });

  it('registers with the probed GPU and the services it can run', async () => {
    expect(agent.offered).toEqual(
      FFMPEG ? ['echo', 'video_transcoding', 'llm_inference'] : ['echo', 'llm_inference'],
    );
    const miners = await http.get<{ items: { miner_id: string; capabilities: unknown }[] }>(
      '/v1/admin/miners',
      keys.admins.admin,
    );
    const me = miners.body.items.find((m) => m.miner_id === agent.minerId);
    expect(me?.capabilities).toMatchObject({
      gpus: [{ model: 'NVIDIA GeForce RTX 4090', vram_gb: 24 }],
      cuda: '12.4',
      services: agent.offered.filter((s) => s !== 'echo'),
    });
  });

  it.skipIf(!FFMPEG)('transcodes a video job and reports its hash and minutes', async () => {
    const id = await submit({
      service: 'video_transcoding',
      payload: { input_url: `${files.baseUrl}/clip.mp4`, preset: 'ultrafast', resolution: '80x60' },
    });
    const done = await finished(id);
    expect(done.state, JSON.stringify(done.error)).toBe('COMPLETED');
    const video = (done.result as { video: { url: string; sha256: string; size_bytes: number } })
      .video;
    const bytes = readFileSync(fileURLToPath(video.url));
    expect(video.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(video.size_bytes).toBe(bytes.length);
    expect(done.receipt).toMatchObject({
      unit_type: 'video_minutes',
      service: 'video_transcoding',
    });
    expect(done.receipt?.units).toBeCloseTo(1 / 60, 3);
  });

  it('answers an LLM job from the OpenAI-compatible server, billed in tokens', async () => {
    llm.reply({ status: 200, body: completion('Leases end.', { prompt: 11, completion: 3 }) });
    const id = await submit({
      service: 'llm_inference',
      payload: { model: 'llama-7b', prompt: 'Say how leases end.' },
    });
    const done = await finished(id);
    expect(done).toMatchObject({
      state: 'COMPLETED',
      result: { text: 'Leases end.', tokens_generated: 3, finish_reason: 'stop' },
    });
    expect(done.receipt).toMatchObject({ units: 14, unit_type: 'tokens' });
    expect(llm.requests.at(-1)?.body).toMatchObject({ model: 'tiny-model', max_tokens: 256 });
  });

  it("fails an LLM job with the server's error: 4xx at once, 5xx after its retries", async () => {
    llm.reply({ status: 400, body: { error: { message: 'context too long' } } });
    const rejected = await finished(
      await submit({ service: 'llm_inference', payload: { model: 'llama-7b', prompt: 'x' } }),
    );
    expect(rejected).toMatchObject({ state: 'FAILED', error: { code: 'LLM_REQUEST_REJECTED' } });
    expect(rejected.error?.message).toContain('context too long');

    llm.reply({ status: 502, body: { error: { message: 'upstream down' } } });
    const before = llm.requests.length;
    const id = await submit({
      service: 'llm_inference',
      payload: { model: 'llama-7b', prompt: 'y' },
      max_attempts: 2,
    });
    const down = await finished(id);
    expect(down).toMatchObject({ state: 'FAILED', error: { code: 'LLM_UPSTREAM_ERROR' } });
    const job = (await http.get<JobView>(`/v1/jobs/${id}`, alice())).body;
    expect(job.attempt).toBe(2);
    expect(llm.requests.length - before).toBe(2);
  });

  it('aborts a running job the client cancels', async () => {
    const id = await submit({ payload: { sleep_ms: 600_000 } });
    await nextEvent((e) => e.type === 'job_started' && e.jobId === id);
    const r = await http.post<JobView>(`/v1/jobs/${id}/cancel`, {}, alice());
    expect(r.body.state).toBe('CANCELED');
    await nextEvent((e) => e.type === 'job_canceled' && e.jobId === id);
    // The executor stopped sleeping (10 min) and gave its slot back.
    await until('the canceled executor returned', () => agent.inflight() === 0);
  });

  it('stops on request and reports why', async () => {
    await agent.stop({ graceMs: 1000 });
    expect(await agent.stopped).toBe('stop');
    expect(logLines.some((l) => JSON.parse(l).msg === 'stopped')).toBe(true);
  });
});
