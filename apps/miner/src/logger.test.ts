import { describe, expect, it } from 'vitest';
import { createLogger, describeEvent } from './logger.js';

function capture(json: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const log = createLogger({
    json,
    stdout: { write: (l: string) => out.push(l) },
    stderr: { write: (l: string) => err.push(l) },
    now: () => new Date('2026-11-28T06:12:50.123Z'),
  });
  return { log, out, err };
}

describe('createLogger', () => {
  it('writes JSON lines, errors by their message', () => {
    const { log, out, err } = capture(true);
    log.info('job completed', { job_id: 'j1', duration_ms: 12 });
    log.error('register failed', { error: new Error('ECONNREFUSED') });
    expect(out.map((l) => JSON.parse(l))).toEqual([
      {
        time: '2026-11-28T06:12:50.123Z',
        level: 'info',
        msg: 'job completed',
        job_id: 'j1',
        duration_ms: 12,
      },
    ]);
    expect(JSON.parse(err[0]!)).toMatchObject({ level: 'error', error: 'ECONNREFUSED' });
  });

  it('writes key=value text, quoting values with spaces', () => {
    const { log, out, err } = capture(false);
    log.info('executors', { offered: 'echo,llm_inference', n: 2 });
    log.warn('job failed', { message: 'ffmpeg exited with code 1' });
    expect(out).toEqual([
      '2026-11-28T06:12:50.123Z INFO executors offered=echo,llm_inference n=2\n',
    ]);
    expect(err).toEqual([
      '2026-11-28T06:12:50.123Z WARN job failed message="ffmpeg exited with code 1"\n',
    ]);
  });
});

describe('describeEvent', () => {
  it('logs job outcomes and leaves out what the SDK logs itself', () => {
    const failed = describeEvent({
      type: 'job_failed',
      jobId: 'j1',
      leaseId: 'l1',
      code: 'FFMPEG_FAILED',
      message: 'bad input',
      retryable: false,
      jobState: 'FAILED',
    });
    expect(failed).toEqual([
      'warn',
      'job failed',
      {
        job_id: 'j1',
        code: 'FFMPEG_FAILED',
        message: 'bad input',
        retryable: false,
        job_state: 'FAILED',
      },
    ]);
    expect(describeEvent({ type: 'stopped', reason: 'stop' })).toBeNull();
    const retry = { type: 'error', error: new Error('x'), fatal: false, retryInMs: 500 } as const;
    expect(describeEvent({ ...retry, step: 'poll' })).toBeNull();
    expect(describeEvent({ ...retry, step: 'register' })?.[0]).toBe('error');
  });
});
