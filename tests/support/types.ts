/** The wire shapes of CONTRACT.md, written down independently of the server's own schemas. */

export type JobState = 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED' | 'EXPIRED';
export const JOB_STATES: readonly JobState[] = [
  'QUEUED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELED',
  'EXPIRED',
];

export interface ErrorBody {
  code: string;
  message: string;
  issues?: { path: string; message: string }[];
}

export interface JobView {
  job_id: string;
  state: JobState;
  service: string | null;
  constraints: Record<string, unknown>;
  priority: number;
  attempt: number;
  max_attempts: number;
  assigned_miner_id: string | null;
  requested_at: string;
  started_at: string | null;
  completed_at: string | null;
  expires_at: string;
  error: { code: string; message: string } | null;
  estimated_price: number | null;
}

export interface AdminJobView extends JobView {
  client_id: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface AssignedJob {
  job_id: string;
  lease_id: string;
  attempt: number;
  lease_expires_at: string;
  service: string | null;
  payload: Record<string, unknown>;
  constraints: Record<string, unknown>;
}

export interface Signature {
  alg: string;
  key_id: string;
  sig: string;
}

export interface Receipt {
  version: string;
  receipt_id: string;
  job_id: string;
  attempt: number;
  service?: string;
  provider: string;
  client: string;
  units: number;
  unit_type: string;
  price?: number;
  started_at: number;
  completed_at: number;
  payload_sha256: string;
  result_sha256: string;
  coordinator_id: string;
  metadata?: Record<string, unknown>;
  signature: Signature;
  attestations?: Signature[];
}

export interface Stats {
  total_jobs: number;
  jobs_by_state: Record<JobState, number>;
  queue_depth: number;
  online_miners: number;
  miners_by_status: Record<string, number>;
  avg_job_duration_ms: number | null;
}

export interface AdminMiner {
  miner_id: string;
  status: string;
  concurrency: number;
  inflight: number;
  jobs_completed: number;
  jobs_failed: number;
  last_heartbeat: string;
}

export interface Jwk {
  kty: string;
  crv: string;
  kid: string;
  x: string;
}
