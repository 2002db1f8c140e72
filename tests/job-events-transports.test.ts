import type { AssignedJob, JobStreamEvent } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allSecrets,
  keyEnv,
  makeKeys,
  poll,
  postResult,
  registerMiner,
  submitJob,
} from './support/actors.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import { openSse, openWs } from './support/streams.js';

/** jobs.watch over the wire: SSE (GET /trpc/jobs.watch) and WebSocket (/trpc), embedded DB. */
describe('job event streams over SSE and WebSocket', () => {
  const keys = makeKeys(['alice', 'bob'], ['m1']);
  const alice = keys.clients.alice as string;
  const m1 = keys.miners.m1 as string;
  let server: RunningServer;
  let http: Http;
  beforeAll(async () => {
    server = await startServer({ db: 'embedded', env: keyEnv(keys) });
    http = new Http(server.baseUrl, allSecrets(keys));
    await registerMiner(http, m1);
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  const watchUrl = (jobId: string) =>
    `${server.baseUrl}/trpc/jobs.watch?input=${encodeURIComponent(JSON.stringify({ job_id: jobId }))}`;

  /** Reads SSE messages until `count` job events arrived (or the stream ended). */
  async function readEvents(sse: Awaited<ReturnType<typeof openSse>>, count: number) {
    const events: JobStreamEvent[] = [];
    while (events.length < count) {
      const m = await sse.next();
      if (m === null || m.event === 'return') break;
      if (m.event === 'serialized-error') throw new Error(m.data);
      if (m.event !== 'message') continue;
      const event = JSON.parse(m.data) as JobStreamEvent;
      expect(m.id).toBe(event.event_id);
      events.push(event);
    }
    return events;
  }

  async function progress(job: AssignedJob, value: number) {
    const r = await http.post(
      `/v1/miners/${job.job_id}/progress`,
      { lease_id: job.lease_id, progress: value },
      m1,
    );
    expect(r.status).toBe(200);
  }

  it('SSE: every transition in order; a dropped stream resumes with Last-Event-ID, no gaps or repeats', async () => {
    const job = await submitJob(http, alice, { payload: { n: 1 }, max_attempts: 2 });
    const sse = await openSse(watchUrl(job.job_id), { 'x-api-key': alice });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const start = await readEvents(sse, 1);
    expect(start.map((e) => e.type)).toEqual(['queued']);

    const first = (await poll(http, m1)) as AssignedJob;
    await progress(first, 10);
    const before = await readEvents(sse, 2);
    sse.close(); // the connection drops; meanwhile the job goes on
    const failed = await http.post(
      `/v1/miners/${first.job_id}/fail`,
      { lease_id: first.lease_id, error_code: 'OOM', error_message: 'oom', retryable: true },
      m1,
    );
    expect(failed.status).toBe(200);
    const second = (await poll(http, m1)) as AssignedJob;

    const resumed = await openSse(watchUrl(job.job_id), {
      'x-api-key': alice,
      'last-event-id': (before.at(-1) as JobStreamEvent).event_id,
    });
    const during = await readEvents(resumed, 2);
    await postResult(http, m1, second);
    const after = await readEvents(resumed, 10); // ends after the terminal event
    const all = [...start, ...before, ...during, ...after];
    expect(all.map((e) => e.type)).toEqual([
      'queued',
      'running',
      'progress',
      'requeued',
      'running',
      'completed',
    ]);
    const ids = all.map((e) => BigInt(e.event_id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(await resumed.next()).toBeNull();

    // The same resume through the input's last_event_id.
    const input = encodeURIComponent(
      JSON.stringify({ job_id: job.job_id, last_event_id: all[3]!.event_id }),
    );
    const again = await openSse(`${server.baseUrl}/trpc/jobs.watch?input=${input}`, {
      'x-api-key': alice,
    });
    expect((await readEvents(again, 10)).map((e) => e.event_id)).toEqual(
      all.slice(4).map((e) => e.event_id),
    );
  });

  it("SSE: another client's job is NOT_FOUND, like a missing one; no key is UNAUTHENTICATED", async () => {
    const job = await submitJob(http, keys.clients.bob as string, {
      payload: {},
      constraints: { region: 'nowhere' },
    });
    for (const [url, key, code] of [
      [watchUrl(job.job_id), alice, 'NOT_FOUND'],
      [watchUrl('no-such-job'), alice, 'NOT_FOUND'],
      [watchUrl(job.job_id), null, 'UNAUTHENTICATED'],
    ] as const) {
      const sse = await openSse(url, key ? { 'x-api-key': key } : {});
      let m = await sse.next();
      while (m && m.event !== 'serialized-error') m = await sse.next();
      expect(JSON.parse(m?.data ?? '{}').data).toMatchObject({
        code,
        httpStatus: code === 'NOT_FOUND' ? 404 : 401,
      });
      sse.close();
    }
  });

  it('WebSocket: authenticated by the upgrade headers or by connectionParams; subscriptions only', async () => {
    const job = await submitJob(http, alice);
    const byHeader = await openWs(`${server.baseUrl.replace('http', 'ws')}/trpc`, {
      'x-api-key': alice,
    });
    byHeader.send({
      id: 1,
      method: 'subscription',
      params: { path: 'jobs.watch', input: { job_id: job.job_id } },
    });
    const byParams = await openWs(
      `${server.baseUrl.replace('http', 'ws')}/trpc?connectionParams=1`,
    );
    byParams.send({ method: 'connectionParams', data: { apiKey: alice } });
    byParams.send({
      id: 7,
      method: 'subscription',
      params: { path: 'jobs.watch', input: { job_id: job.job_id } },
    });
    byParams.send({
      id: 8,
      method: 'query',
      params: { path: 'jobs.get', input: { job_id: job.job_id } },
    });

    const lease = (await poll(http, m1)) as AssignedJob;
    await postResult(http, m1, lease);
    for (const [ws, id] of [
      [byHeader, 1],
      [byParams, 7],
    ] as const) {
      const types: string[] = [];
      for (;;) {
        const msg = (await ws.next()) as {
          id: number;
          result?: { type: string; data?: { id: string; data: JobStreamEvent } };
          error?: { data: { code: string } };
        };
        if (msg.id === 8) {
          expect(msg.error?.data.code).toBe('METHOD_NOT_ALLOWED');
          continue;
        }
        expect(msg.id).toBe(id);
        if (msg.result?.type === 'data') {
          const tracked = msg.result.data as { id: string; data: JobStreamEvent };
          expect(tracked.id).toBe(tracked.data.event_id);
          types.push(tracked.data.type);
        }
        if (msg.result?.type === 'stopped') break;
      }
      expect(types).toEqual(['queued', 'running', 'completed']);
      await ws.close();
    }
  });
});
