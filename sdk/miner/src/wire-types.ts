/**
 * The contract types a miner author sees, written out as plain interfaces so that the published
 * declarations need neither zod nor the private contracts package. `contract-drift.ts` checks at
 * compile time that they match the zod schemas of `@aitbc/contracts` both ways.
 */

/** Job constraints (contract §3): what a job needs from the miner that runs it. */
export interface JobConstraints {
  /** `"any"`, a vendor (nvidia, amd, intel) or a GPU model fragment (`"rtx 4090"`). */
  gpu?: string;
  min_vram_gb?: number;
  /** Minimum CUDA version, like `12.4`. */
  cuda?: string;
  models?: string[];
  region?: string;
  max_price?: number;
}

export interface Gpu {
  model: string;
  vram_gb: number;
}

/** What a miner advertises at register (contract §4). */
export interface MinerCapabilities {
  gpus: Gpu[];
  cuda?: string;
  models?: string[];
  /** Registry service ids this miner runs; the SDK fills it from the executors when absent. */
  services?: string[];
  /** Advertised price; jobs with a lower `max_price` are not handed to this miner. */
  price?: number;
}

/** A job handed to this miner by a poll, under a fresh lease. */
export interface AssignedJob {
  job_id: string;
  lease_id: string;
  attempt: number;
  lease_expires_at: string;
  service: string | null;
  payload: Record<string, unknown>;
  constraints: JobConstraints;
}

export interface ReceiptSignature {
  alg: 'Ed25519';
  key_id: string;
  sig: string;
}

/** The signed receipt of a completed job (contract §6); fields without a value are left out. */
export interface Receipt {
  version: '2';
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
  signature: ReceiptSignature;
  attestations?: ReceiptSignature[];
}

/** What the push channel delivers: a job claimed for this miner, or a cancellation (§7a). */
export type Assignment = { type: 'job'; job: AssignedJob } | { type: 'cancel'; job_id: string };
