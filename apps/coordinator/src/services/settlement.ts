import type { Receipt } from '@aitbc/contracts';
import type { Database } from '../db/database.js';
import { GroupCommit } from './group-commit.js';

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

/** Most receipts written by one statement: bounds the statement's size under a burst. */
const MAX_BATCH = 500;

/**
 * Default: record a PENDING settlement row for a later settlement process to pick up.
 *
 * Rows are written by group commit (group-commit.ts): under load one statement carries many
 * receipts instead of adding a statement (and a commit) to every completed job.
 */
export class PendingSettlementRecorder implements Settlement {
  private readonly rows = new GroupCommit<Receipt, undefined>(
    (receipts) => this.insert(receipts),
    MAX_BATCH,
  );

  constructor(private readonly db: Pick<Database, 'query'>) {}

  async onReceipt(receipt: Receipt): Promise<void> {
    await this.rows.add(receipt);
  }

  private async insert(receipts: Receipt[]): Promise<undefined[]> {
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
    return receipts.map(() => undefined);
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
