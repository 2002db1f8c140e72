import type { Assignment } from '@aitbc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSecrets, keyEnv, makeKeys, registerMiner, submitJob } from './support/actors.js';
import { Http } from './support/http.js';
import { cleanupTempDirs, type RunningServer, startServer } from './support/server.js';
import { openSse, openWs } from './support/streams.js';

/** miners.assignments over the wire, without the SDK: SSE and tRPC over WebSocket. */
describe('the push channel over SSE and WebSocket', () => {
  const keys = makeKeys(['alice'], ['m1', 'm2']);
  const alice = keys.clients.alice as string;
  let server: RunningServer;
  let http: Http;
  beforeAll(async () => {
    server = await startServer({ db: 'embedded', env: keyEnv(keys) });
    http = new Http(server.baseUrl, allSecrets(keys));
  });
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  });

  it('SSE: GET /trpc/miners.assignments pushes a job and its cancellation as message events', async () => {
    const m1 = keys.miners.m1 as string;
    await registerMiner(http, m1);
    const sse = await openSse(`${server.baseUrl}/trpc/miners.assignments`, { 'x-api-key': m1 });
    expect(sse.status).toBe(200);
    expect((await sse.next())?.event).toBe('connected');
    const job = await submitJob(http, alice, { payload: { n: 1 } });
    const pushed = await sse.next();
    expect(JSON.parse(pushed?.data ?? '{}')).toMatchObject({
      type: 'job',
      job: { job_id: job.job_id, attempt: 1 },
    });
    await http.post(`/v1/jobs/${job.job_id}/cancel`, {}, alice);
    expect(JSON.parse((await sse.next())?.data ?? '{}')).toEqual({
      type: 'cancel',
      job_id: job.job_id,
    });
    sse.close();
  });

  it('SSE: a client key is refused with FORBIDDEN in the stream', async () => {
    const sse = await openSse(`${server.baseUrl}/trpc/miners.assignments`, { 'x-api-key': alice });
    let m = await sse.next();
    while (m && m.event !== 'serialized-error') m = await sse.next();
    expect(JSON.parse(m?.data ?? '{}').data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    sse.close();
  });

  it('WebSocket: the same channel as a tRPC subscription at /trpc', async () => {
    const m2 = keys.miners.m2 as string;
    await registerMiner(http, m2);
    const ws = await openWs(`${server.baseUrl.replace('http', 'ws')}/trpc`, { 'x-api-key': m2 });
    ws.send({ id: 1, method: 'subscription', params: { path: 'miners.assignments' } });
    let started = (await ws.next()) as { result?: { type: string } };
    while (started.result?.type !== 'started') started = (await ws.next()) as typeof started;
    const job = await submitJob(http, alice, { payload: { n: 2 } });
    const message = (await ws.next()) as { id: number; result: { type: string; data: Assignment } };
    expect(message).toMatchObject({ id: 1, result: { type: 'data' } });
    expect(message.result.data).toMatchObject({ type: 'job', job: { job_id: job.job_id } });
    await ws.close();
  });
});
