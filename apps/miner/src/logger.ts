import type { MinerEvent, MinerLogger } from '@aitbc/miner';

type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

export interface AgentLogger extends MinerLogger {
  debug(message: string, fields?: Fields): void;
}

interface Sink {
  write(line: string): unknown;
}

/**
 * One line per entry: JSON (`{"time","level","msg",...fields}`) for log collectors, or
 * `time LEVEL message key=value` for a terminal. Info goes to stdout, warnings and errors to stderr.
 */
export function createLogger(options: {
  json: boolean;
  stdout?: Sink;
  stderr?: Sink;
  now?: () => Date;
}): AgentLogger {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const now = options.now ?? (() => new Date());
  const write =
    (level: Level) =>
    (message: string, fields: Fields = {}) => {
      const time = now().toISOString();
      const line = options.json
        ? JSON.stringify({ time, level, msg: message, ...fields }, jsonSafe)
        : [time, level.toUpperCase(), message, ...Object.entries(fields).map(pair)].join(' ');
      (level === 'warn' || level === 'error' ? stderr : stdout).write(`${line}\n`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

const pair = ([key, value]: [string, unknown]) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value, jsonSafe);
  return `${key}=${/[\s"=]/.test(text ?? '') ? JSON.stringify(text) : text}`;
};

/** Errors are logged by their message (JSON.stringify would give `{}`). */
const jsonSafe = (_key: string, value: unknown) => (value instanceof Error ? value.message : value);

/** A log entry: level, message, fields. */
export type LogLine = [level: Level, message: string, fields: Fields];

/**
 * The log line of a runtime event, or null. `registered`, `stopped` and the retries of the
 * loops are logged by the SDK itself, so they are left out here.
 */
export function describeEvent(event: MinerEvent): LogLine | null {
  switch (event.type) {
    case 'job_started':
      return [
        'info',
        'job started',
        { job_id: event.jobId, attempt: event.attempt, service: event.service ?? '*' },
      ];
    case 'job_completed':
      return [
        'info',
        'job completed',
        {
          job_id: event.jobId,
          receipt_id: event.receipt.receipt_id,
          duration_ms: event.durationMs,
        },
      ];
    case 'job_failed': {
      const { jobId, code, message, retryable, jobState } = event;
      return [
        'warn',
        'job failed',
        { job_id: jobId, code, message, retryable, job_state: jobState },
      ];
    }
    case 'job_canceled':
      return ['info', 'job canceled by the coordinator', { job_id: event.jobId }];
    case 'lease_lost':
      return [
        'warn',
        'lease lost; the job is no longer ours',
        { job_id: event.jobId, during: event.during },
      ];
    case 'draining':
      return ['info', 'draining', { inflight: event.inflight }];
    case 'error': {
      if (event.step !== 'register' && !event.fatal) return null;
      const fields = { error: event.error, fatal: event.fatal, retry_in_ms: event.retryInMs };
      return ['error', `${event.step} failed`, fields];
    }
    default:
      return null;
  }
}

export function logEvent(log: AgentLogger, event: MinerEvent): void {
  const line = describeEvent(event);
  if (line) log[line[0]](line[1], line[2]);
}
