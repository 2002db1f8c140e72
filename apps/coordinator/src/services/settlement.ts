import type { Receipt } from '@aitbc/contracts';
import type pg from 'pg';

/**
 * Where token accounting plugs in. Called once per new receipt, after the job's completion has
 * committed; an implementation must be idempotent (a receipt may be offered again after a crash).
 */
export interface Settlement {
  onReceipt(receipt: Receipt): Promise<void>;
}

/** Default: record a PENDING settlement row for a later settlement process to pick up. */
export class PendingSettlementRecorder implements Settlement {
  constructor(private readonly pool: pg.Pool) {}

  async onReceipt(r: Receipt): Promise<void> {
    await this.pool.query(
      `insert into settlements (receipt_id, job_id, client_id, miner_id, units, unit_type, price, status, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, 'PENDING', now())
       on conflict (receipt_id) do nothing`,
      [r.receipt_id, r.job_id, r.client, r.provider, r.units, r.unit_type, r.price ?? null],
    );
  }
}
