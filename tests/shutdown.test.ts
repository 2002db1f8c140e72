import { Agent } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  allSecrets,
  type Keys,
  keyEnv,
  listAll,
  makeKeys,
  registerMiner,
} from './support/actors.js';
import { Http } from './support/http.js';
import { postJson, refusesNewRequests, slowUpload } from './support/raw-http.js';
import { cleanupTempDirs, type Exit, type RunningServer, startServer } from './support/server.js';
import type { AdminMiner, JobView } from './support/types.js';
import { until, within } from './support/wait.js';

/**
 * SIGTERM is a graceful stop: a waiting long poll answers at once, a request in flight is
 * finished (and its effect kept), and the process exits 0 within a few seconds, also while
 * clients keep their connections alive as fetch and most HTTP clients do.
 */
describe('graceful shutdown on SIGTERM (embedded database)', () => {
  let keys: Keys;
  let server: RunningServer;
  let http: Http;
  let uploadedJobId: string | undefined;
  // Connections are kept alive after each answer, as fetch and most HTTP clients do.
  const minerAgent = new Agent({ keepAlive: true });
  const clientAgent = new Agent({ keepAlive: true });
  const alice = () => keys.clients.alice as string;
  const miner = () => keys.miners.gpu1 as string;

  beforeAll(async () => {
    keys = makeKeys(['alice'], ['gpu1']);
    server = await startServer({ db: 'embedded', env: keyEnv(keys) });
    http = new Http(server.baseUrl, allSecrets(keys));
  });
  afterEach(() => {
    expect(http.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    minerAgent.destroy();
    clientAgent.destroy();
    await server?.stop();
    cleanupTempDirs();
  });

  const lastSeen = async () => {
    const miners = await listAll<AdminMiner>(http, '/v1/admin/miners', keys.admins.admin as string);
    return miners.find((m) => m.miner_id === 'gpu1')?.last_heartbeat ?? '';
  };

  // Regression, two bugs:
  // 1. The long poll was not released by SIGTERM: the shutdown wake-up was taken for a freed
  //    slot, found no job and waited again until max_wait_seconds.
  // 2. A keep-alive connection whose request was in flight at SIGTERM was not closed after its
  //    answer, so the process waited for the client to drop it (up to keepAliveTimeout, 72 s).
  it('answers a waiting long poll at once, finishes an in-flight request, and exits 0', async () => {
    await registerMiner(http, miner(), 1);
    const registered = await lastSeen();

    // A miner long-polls an empty queue...
    const pollAnswer = postJson(
      minerAgent,
      server.baseUrl,
      '/v1/miners/poll',
      { 'x-api-key': miner() },
      {
        max_wait_seconds: 20,
      },
    );
    // ...and is waiting once its poll counted as a sign of life.
    await until('the poll to be waiting', async () => (await lastSeen()) > registered);
    // A client is half-way through sending a submit.
    const body = JSON.stringify({
      payload: { note: 'sent across the shutdown', pad: 'x'.repeat(2000) },
    });
    const upload = slowUpload(
      clientAgent,
      server.baseUrl,
      '/v1/jobs',
      { 'x-api-key': alice() },
      body,
    );
    await within(5000, 'the server to accept the upload', upload.accepted);

    const signalled = Date.now();
    server.kill('SIGTERM');
    const poll = await within(3000, 'the long poll after SIGTERM', pollAnswer).then(
      (r) => {
        http.inspect('POST /v1/miners/poll', r, r.text, JSON.parse(r.text));
        return `${r.status} ${r.text}`;
      },
      (err: Error) => err.message,
    );
    // Only once the server has begun closing does the rest of the body go out.
    await until(
      'the server to stop taking new requests',
      () => refusesNewRequests(server.baseUrl),
      {
        timeoutMs: 5000,
      },
    );
    upload.finish();
    const uploaded = await within(5000, 'the in-flight submit', upload.response).catch(
      (err: Error) => ({ status: 0, text: err.message }),
    );
    if (uploaded.status === 201) uploadedJobId = (JSON.parse(uploaded.text) as JobView).job_id;
    const exit = await within(
      Math.max(0, signalled + 6000 - Date.now()),
      'the process to exit',
      server.exited,
    ).catch((err: Error) => err.message);

    expect({ poll, upload: `${uploaded.status}`, exit }).toEqual({
      poll: '200 {"job":null}',
      upload: '201',
      exit: { code: 0, signal: null } satisfies Exit,
    });
  });

  it('kept the submit that was in flight during the shutdown', async () => {
    // If the previous test failed, the process may still wait for the clients' connections.
    minerAgent.destroy();
    clientAgent.destroy();
    await within(30_000, 'the old process to exit', server.exited);
    expect(uploadedJobId).toBeDefined();
    server = await startServer({ db: 'embedded', dataDir: server.dataDir, env: keyEnv(keys) });
    http = new Http(server.baseUrl, allSecrets(keys));
    const job = await http.get<JobView>(`/v1/jobs/${uploadedJobId}`, alice());
    expect([job.status, job.body.job_id]).toEqual([200, uploadedJobId]);
  });
});
