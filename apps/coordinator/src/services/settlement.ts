import type { Receipt } from '@aitbc/contracts';
import type { Database } from '../db/database.js';

/**
 * Where token accounting plugs in. Called once per new receipt, after the job's completion has
 * committed; an implementation must be idempotent (a receipt may be offered again after a crash).
 */
export interface Settlement {
  onReceipt(receipt: Receipt): Promise<void>;
  /**
   * Called once at start-up: offer again what a crash between commit and `onReceipt` (or a failed
   * `onReceipt`) left out. Returns how many receipts were recovered.
   */
  recover?(): Promise<number>;
}

/** Default: record a PENDING settlement row for a later settlement process to pick up. */
export class PendingSettlementRecorder implements Settlement {
  constructor(private readonly db: Pick<Database, 'query'>) {}

  async onReceipt(r: Receipt): Promise<void> {
    await this.db.query(
      `insert into settlements (receipt_id, job_id, client_id, miner_id, units, unit_type, price, status, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, 'PENDING', to_timestamp($8))
       on conflict (receipt_id) do nothing`,
      [
        r.receipt_id,
        r.job_id,
        r.client,
        r.provider,
        r.units,
        r.unit_type,
        r.price ?? null,
        r.completed_at,
      ],
    );
  }

  async recover(): Promise<number> {
    const { rowCount } = await this.db.query(
      `insert into settlements (receipt_id, job_id, client_id, miner_id, units, unit_type, price, status, created_at)
       select r.id, r.job_id, r.client_id, r.miner_id, (r.body->>'units')::float8, r.body->>'unit_type',
         (r.body->>'price')::float8, 'PENDING', r.issued_at
       from receipts r
       where not exists (select 1 from settlements s where s.receipt_id = r.id)
       on conflict (receipt_id) do nothing`,
    );
    return rowCount ?? 0;
  }
}
