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

interface Waiting {
  receipt: Receipt;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Most receipts written by one statement: bounds the statement's size under a burst. */
const MAX_BATCH = 500;

/**
 * Default: record a PENDING settlement row for a later settlement process to pick up.
 *
 * Rows are written like a group commit: while one insert is in flight, new receipts wait and go
 * together in the next one. A lone receipt is written at once; under load one statement carries
 * many receipts instead of adding a statement (and a commit) to every completed job.
 */
export class PendingSettlementRecorder implements Settlement {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly db: Pick<Database, 'query'>) {}

  onReceipt(receipt: Receipt): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ receipt, resolve, reject });
      this.writing ??= this.writeWaiting();
    });
  }

  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      try {
        await this.insert(batch.map((w) => w.receipt));
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = null;
  }

  private async insert(receipts: Receipt[]): Promise<void> {
    const column = <T>(pick: (r: Receipt) => T) => receipts.map(pick);
    await this.db.query(
      `insert into settlements (receipt_id, job_id, client_id, miner_id, units, unit_type, price, status, created_at)
       select r.receipt_id, r.job_id, r.client_id, r.miner_id, r.units, r.unit_type, r.price,
         'PENDING', to_timestamp(r.completed_at)
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[],
         $7::float8[], $8::float8[]) as r(receipt_id, job_id, client_id, miner_id, units, unit_type,
         price, completed_at)
       on conflict (receipt_id) do nothing`,
      [
        column((r) => r.receipt_id),
        column((r) => r.job_id),
        column((r) => r.client),
        column((r) => r.provider),
        column((r) => r.units),
        column((r) => r.unit_type),
        column((r) => r.price ?? null),
        column((r) => r.completed_at),
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
