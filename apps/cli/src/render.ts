import type { JobResultView, JobStreamEvent, JobView, Receipt, VerifyResult } from '@aitbc/client';
import { renderFields } from './table.js';

const orDash = (value: unknown): string =>
  value === null || value === undefined ? '-' : String(value);

/** One line: what a person wants to see about a job at a glance. */
export function jobLine(job: JobView): string {
  const parts = [`job ${job.job_id} ${job.state}`];
  if (job.service) parts.push(`service ${job.service}`);
  if (job.attempt > 0) parts.push(`attempt ${job.attempt}/${job.max_attempts}`);
  if (job.assigned_miner_id) parts.push(`miner ${job.assigned_miner_id}`);
  if (job.error) parts.push(`error ${job.error.code}: ${job.error.message}`);
  return parts.join(', ');
}

/** One event of a job's stream: `<at>  #<id> <type> <details>`. */
export function eventLine(event: JobStreamEvent): string {
  const details = [
    event.miner_id ? `miner ${event.miner_id}` : '',
    event.attempt ? `attempt ${event.attempt}` : '',
    event.progress !== undefined ? `${event.progress}%` : '',
    event.message ?? '',
    event.receipt_id ? `receipt ${event.receipt_id}` : '',
    event.error ? `${event.error.code}: ${event.error.message}` : '',
  ].filter(Boolean);
  return `${event.at}  #${event.event_id} ${event.type.toUpperCase()} ${details.join(', ')}`.trimEnd();
}

export function jobFields(job: JobView): string {
  return renderFields([
    ['job', job.job_id],
    ['state', job.state],
    ['service', orDash(job.service)],
    ['attempt', `${job.attempt} of ${job.max_attempts}`],
    ['miner', orDash(job.assigned_miner_id)],
    ['priority', String(job.priority)],
    ['constraints', JSON.stringify(job.constraints)],
    ['requested', job.requested_at],
    ['started', orDash(job.started_at)],
    ['completed', orDash(job.completed_at)],
    ['expires', job.expires_at],
    ['est. price', job.estimated_price === null ? '-' : `${job.estimated_price} AITBC`],
    ['error', job.error ? `${job.error.code}: ${job.error.message}` : '-'],
  ]);
}

export function resultText(view: JobResultView): string {
  if (view.result === null) return '(no result)';
  return JSON.stringify(view.result, null, 2);
}

export function receiptFields(receipt: Receipt, verification?: VerifyResult): string {
  const fields: [string, string][] = [
    ['receipt', receipt.receipt_id],
    ['job', receipt.job_id],
    ['service', orDash(receipt.service)],
    ['provider', receipt.provider],
    ['attempt', String(receipt.attempt)],
    ['units', `${receipt.units} ${receipt.unit_type}`],
    ['price', receipt.price === undefined ? '-' : `${receipt.price} AITBC`],
    ['completed', new Date(receipt.completed_at * 1000).toISOString()],
    ['signed by', receipt.signature.key_id],
  ];
  if (verification) fields.push(['verified', verificationText(verification)]);
  return renderFields(fields);
}

export function verificationText(result: VerifyResult): string {
  return result.ok ? `yes, key ${result.keyId}` : `NO (${result.reason})`;
}
