import { Migration } from '@mikro-orm/migrations';

/**
 * Signed-request nonces (contract §8a) and the index behind the per-client queue cap. A new
 * migration, never an edit of the first one: deployed databases have applied that already.
 */
export class Migration20261128000002RequestSecurity extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      -- One row per nonce seen within the signature window; the primary key is the replay check
      -- (insert ... on conflict do nothing). The sweeper deletes rows past expires_at.
      create table request_nonces (
        key_id text not null,
        nonce text not null,
        expires_at timestamptz not null,
        primary key (key_id, nonce)
      );
      create index request_nonces_expires_idx on request_nonces (expires_at);

      -- Counts a client's QUEUED jobs for MAX_QUEUED_JOBS_PER_CLIENT without reading its history.
      create index jobs_client_queued_idx on jobs (client_id) where state = 'QUEUED';
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists jobs_client_queued_idx;');
    this.addSql('drop table if exists request_nonces;');
  }
}
