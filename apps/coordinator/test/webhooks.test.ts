import type { JobStreamEvent } from '@aitbc/contracts';
import { verifyWebhook } from '@aitbc/receipts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectAppError, makeJob, registerMiner, submitJob } from './support/fixtures.js';
import { burnEventId, insertEvent } from './support/job-events.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe('webhook dispatcher', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_MAX_ATTEMPTS: '3' });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });
  afterEach(async () => {
    // Settle whatever a test left due, so the next one starts from an empty outbox.
    await t.app.services.db.query('update webhook_deliveries set next_attempt_at = null');
    receiver.received.length = 0;
    receiver.statuses = [];
  });

  const run = () => t.app.webhooks.runOnce();
  const deliveries = (jobId: string) => t.as('alice').jobs.webhooks({ job_id: jobId });
  const jwks = () => t.as(null).receipts.keys();
  const nowSeconds = () => Math.floor(t.clock.now().getTime() / 1000);

  it('delivers the terminal events by default, signed, as JobStreamEvents', async () => {
    await registerMiner(t, 'miner1');
    const { job } = await makeJob(t, 'COMPLETED', { input: { webhook_url: receiver.url } });
    await makeJob(t, 'CANCELED'); // no webhook: its events go nowhere
    const receipt = await t.as('alice').jobs.receipt({ job_id: job.job_id });

    // queued, running, completed; queued, canceled
    expect(await run()).toMatchObject({ read: 5, queued: 1, attempted: 1, delivered: 1 });
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    const event = JSON.parse(got!.body) as JobStreamEvent;
    expect(event).toStrictEqual({
      event_id: expect.stringMatching(/^\d+$/),
      job_id: job.job_id,
      type: 'completed',
      state: 'COMPLETED',
      at: t.clock.now().toISOString(),
      attempt: 1,
      miner_id: 'miner1',
      receipt_id: receipt.receipt_id,
    });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['webhook-timestamp']).toBe(String(nowSeconds()));
    const verified = verifyWebhook(got!.headers, got!.body, await jwks(), {
      nowSeconds: nowSeconds(),
    });
    expect(verified).toMatchObject({ ok: true, id: got!.headers['webhook-id'] });
    expect(verifyWebhook(got!.headers, `${got!.body} `, await jwks()).ok).toBe(false);

    const page = await deliveries(job.job_id);
    expect(page.items).toMatchObject([
      {
        webhook_id: got!.headers['webhook-id'],
        event_id: event.event_id,
        type: 'completed',
        url: receiver.url,
        status: 'delivered',
        next_attempt_at: null,
        delivered_at: t.clock.now().toISOString(),
        attempts: [{ attempt: 1, status_code: 200, error: null }],
      },
    ]);
    expect(await run()).toMatchObject({ read: 0, attempted: 0 });
  });

  it('delivers only the events in webhook_events, in event order', async () => {
    const job = await submitJob(t, {
      webhook_url: receiver.url,
      webhook_events: ['running', 'failed', 'running'],
    });
    await insertEvent(t, job.job_id, 'queued');
    await insertEvent(t, job.job_id, 'running', { attempt: 1, miner_id: 'miner1' });
    await insertEvent(t, job.job_id, 'requeued', { attempt: 1 });
    await insertEvent(t, job.job_id, 'running', { attempt: 2, miner_id: 'miner2' });
    await insertEvent(t, job.job_id, 'failed', {
      attempt: 2,
      error_code: 'OOM',
      error_message: 'x',
    });

    expect(await run()).toMatchObject({ queued: 3, attempted: 3, delivered: 3 });
    const sent = (await deliveries(job.job_id)).items;
    expect(sent.map((d) => d.type)).toEqual(['running', 'running', 'failed']);
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as JobStreamEvent);
    expect(bodies.map((b) => b.type).sort()).toEqual(['failed', 'running', 'running']);
    expect(bodies.find((b) => b.type === 'failed')?.error).toEqual({ code: 'OOM', message: 'x' });
  });

  it('retries after a 500 with backoff, under the same webhook-id', async () => {
    receiver.statuses = [500];
    const job = await submitJob(t, { webhook_url: receiver.url });
    await insertEvent(t, job.job_id, 'canceled');
    const submittedAt = t.clock.now();

    expect(await run()).toMatchObject({ attempted: 1, delivered: 0 });
    let [delivery] = (await deliveries(job.job_id)).items;
    expect(delivery).toMatchObject({
      status: 'pending',
      next_attempt_at: new Date(submittedAt.getTime() + 5_000).toISOString(),
      attempts: [{ attempt: 1, status_code: 500, error: 'HTTP 500' }],
    });

    t.clock.advance(4_999);
    expect(await run()).toMatchObject({ attempted: 0 }); // not due yet
    t.clock.advance(1);
    expect(await run()).toMatchObject({ attempted: 1, delivered: 1 });

    [delivery] = (await deliveries(job.job_id)).items;
    expect(delivery).toMatchObject({ status: 'delivered', next_attempt_at: null });
    expect(delivery!.attempts.map((a) => a.status_code)).toEqual([500, 200]);
    const [first, second] = receiver.received;
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(Number(second!.headers['webhook-timestamp'])).toBe(
      Number(first!.headers['webhook-timestamp']) + 5,
    );
    const keys = await jwks();
    expect(
      verifyWebhook(second!.headers, second!.body, keys, { nowSeconds: nowSeconds() }).ok,
    ).toBe(true);
  });

  it('gives up after WEBHOOK_MAX_ATTEMPTS, doubling the wait each time', async () => {
    receiver.statuses = [500, 502, 503, 200];
    const job = await submitJob(t, { webhook_url: receiver.url });
    await insertEvent(t, job.job_id, 'expired');

    await run();
    t.clock.advance(5_000);
    await run();
    t.clock.advance(9_999);
    expect(await run()).toMatchObject({ attempted: 0 });
    t.clock.advance(1);
    expect(await run()).toMatchObject({ attempted: 1, delivered: 0 });
    t.clock.advance(3600_000);
    expect(await run()).toMatchObject({ attempted: 0 });

    const [delivery] = (await deliveries(job.job_id)).items;
    expect(delivery).toMatchObject({ status: 'failed', next_attempt_at: null, delivered_at: null });
    expect(delivery!.attempts.map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 502],
      [3, 503],
    ]);
    expect(receiver.received).toHaveLength(3);
  });

  it('records a receiver that does not answer in time as a failed attempt', async () => {
    t.app.config.webhooks.timeoutMs = 300; // the one real wait of this file
    try {
      receiver.statuses = ['hang'];
      const job = await submitJob(t, { webhook_url: receiver.url });
      await insertEvent(t, job.job_id, 'completed');
      expect(await run()).toMatchObject({ attempted: 1, delivered: 0 });
      const [delivery] = (await deliveries(job.job_id)).items;
      expect(delivery!.attempts).toMatchObject([
        { attempt: 1, status_code: null, error: 'timed out after 300 ms' },
      ]);
    } finally {
      t.app.config.webhooks.timeoutMs = 10_000;
    }
  });

  it('waits for a hole in the event ids to fill, then steps over it once it is old', async () => {
    const job = await submitJob(t, { webhook_url: receiver.url, webhook_events: ['progress'] });
    const first = await insertEvent(t, job.job_id, 'progress');
    await burnEventId(t); // a transition still in flight (or rolled back) holds this id
    await insertEvent(t, job.job_id, 'progress');

    expect(await run()).toMatchObject({ read: 2, queued: 1 }); // the submit's queued event too
    expect((await deliveries(job.job_id)).items.map((d) => d.event_id)).toEqual([String(first)]);
    t.clock.advance(10_001);
    expect(await run()).toMatchObject({ read: 1, queued: 1 });
    expect((await deliveries(job.job_id)).items).toHaveLength(2);
  });

  it("shows a job's deliveries only to its owner", async () => {
    const job = await submitJob(t, { webhook_url: receiver.url });
    await expectAppError(t.as('bob').jobs.webhooks({ job_id: job.job_id }), 'NOT_FOUND');
    expect(await deliveries(job.job_id)).toEqual({ items: [], next_cursor: null });
  });
});

describe('webhook cursor', () => {
  it('survives a restart: nothing is delivered twice and nothing is lost', async () => {
    const t = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    const receiver = await WebhookReceiver.start();
    let restarted: Awaited<ReturnType<typeof createAgain>> | null = null;
    const createAgain = async () => {
      const { createApp } = await import('../src/app.js');
      return createApp(t.app.config, { clock: t.clock, startSweeper: false });
    };
    try {
      const job = await submitJob(t, { webhook_url: receiver.url, webhook_events: ['progress'] });
      await insertEvent(t, job.job_id, 'progress');
      await t.app.webhooks.runOnce();
      await t.app.close();

      restarted = await createAgain();
      const second = await insertEvent({ ...t, app: restarted }, job.job_id, 'progress');
      expect(await restarted.webhooks.runOnce()).toMatchObject({ read: 1, queued: 1 });
      expect(receiver.received.map((r) => JSON.parse(r.body).event_id)).toEqual([
        String(second - 1),
        String(second),
      ]);
      const { rows } = await restarted.services.db.query(
        'select last_event_id from webhook_cursor',
      );
      expect(rows).toEqual([{ last_event_id: second }]);
    } finally {
      await restarted?.close();
      await receiver.close();
      await t.close();
    }
  });
});

describe('webhook targets', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestApp();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it.each([
    ['http://127.0.0.1:9/hook'],
    ['http://localhost:9/hook'],
    ['http://2130706433/'],
    ['http://0x7f.1/'],
    ['http://[::1]/'],
    ['http://[::ffff:169.254.169.254]/'],
    ['https://169.254.169.254/latest/meta-data/'],
    ['http://10.0.0.1/'],
    ['http://192.168.1.1/'],
    ['http://0.0.0.0/'],
  ])('refuses %s at submit with 400 on webhook_url', async (url) => {
    const error = await expectAppError(submitJob(t, { webhook_url: url }), 'VALIDATION_FAILED');
    expect(error.issues?.map((i) => i.path)).toEqual(['webhook_url']);
  });

  it('refuses other schemes, long URLs, unknown event types and events without a URL', async () => {
    const path = async (input: Parameters<typeof submitJob>[1]) =>
      (await expectAppError(submitJob(t, input), 'VALIDATION_FAILED')).issues?.map((i) => i.path);
    expect(await path({ webhook_url: 'ftp://example.com/' })).toEqual(['webhook_url']);
    expect(await path({ webhook_url: `https://example.com/${'a'.repeat(2048)}` })).toEqual([
      'webhook_url',
    ]);
    expect(
      await path({ webhook_url: 'https://example.com/', webhook_events: ['done' as never] }),
    ).toEqual(['webhook_events.0']);
    expect(await path({ webhook_events: ['completed'] })).toEqual(['webhook_events']);
  });

  it('refuses a private address again at delivery time (the name changed after submit)', async () => {
    const job = await submitJob(t);
    // As if the URL's name had resolved to a public address at submit and to loopback now.
    await t.app.services.db.query(
      `update jobs set webhook_url = $2, webhook_events = '{completed}' where id = $1`,
      [job.job_id, receiver.url],
    );
    await insertEvent(t, job.job_id, 'completed');
    expect(await t.app.webhooks.runOnce()).toMatchObject({ attempted: 1, delivered: 0 });
    const [delivery] = (await t.as('alice').jobs.webhooks({ job_id: job.job_id })).items;
    expect(delivery!.attempts[0]).toMatchObject({ status_code: null });
    expect(delivery!.attempts[0]!.error).toMatch(/127\.0\.0\.1, a private, loopback/);
    expect(receiver.received).toHaveLength(0);
  });
});
