/** What a receipt needs to know about the job, learned when the lease was handed out. */
export interface LeaseFacts {
  id: string;
  client_id: string;
  service: string | null;
  attempt: number;
  payload_sha256: string;
  started_at: Date | null;
  /** The job's estimated price, the receipt's price when the miner reports none. */
  estimated_price: number | null;
}

interface Entry {
  jobId: string;
  minerId: string;
  facts: LeaseFacts;
}

/** Leases remembered at most; past it the oldest are forgotten (they fall back to a read). */
const MAX_ENTRIES = 100_000;

/**
 * This instance's notes on the leases it handed out. The result of such a lease can be signed
 * and written by one conditional statement, with no read before it; the statement's guard
 * (state, lease, miner, lease expiry) still decides. Forgetting is always safe: a lease without a
 * note (claimed elsewhere, before a restart, or evicted) takes the path that reads the job first.
 */
export class LeaseBook {
  private readonly entries = new Map<string, Entry>();

  remember(leaseId: string, minerId: string, facts: LeaseFacts): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(leaseId, { jobId: facts.id, minerId, facts });
  }

  /** The note of this lease if it is for this job and miner; it is forgotten either way. */
  take(leaseId: string, jobId: string, minerId: string): LeaseFacts | null {
    const entry = this.entries.get(leaseId);
    this.entries.delete(leaseId);
    return entry && entry.jobId === jobId && entry.minerId === minerId ? entry.facts : null;
  }

  /** Forgets notes of leases handed out before `claimedBefore` (lost or abandoned ones). */
  prune(claimedBefore: Date): void {
    for (const [leaseId, entry] of this.entries) {
      if ((entry.facts.started_at?.getTime() ?? 0) < claimedBefore.getTime())
        this.entries.delete(leaseId);
    }
  }
}
