/**
 * Compile-time only (not exported from the package): the plain wire types of `wire-types.ts`
 * and `JobMetrics` must stay assignable to and from the contract's zod types, so a change of the
 * contract fails the SDK's typecheck instead of drifting silently.
 */
import type * as contract from '@aitbc/contracts';
import type { z } from 'zod';
import type { JobMetrics } from './executor.js';
import type {
  AssignedJob,
  Assignment,
  JobConstraints,
  MinerCapabilities,
  Receipt,
} from './wire-types.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type ContractDriftChecks = [
  Assert<Same<JobConstraints, contract.JobConstraints>>,
  Assert<Same<MinerCapabilities, contract.MinerCapabilities>>,
  Assert<Same<AssignedJob, contract.AssignedJob>>,
  Assert<Same<Receipt, contract.Receipt>>,
  Assert<Same<Assignment, contract.Assignment>>,
  Assert<Same<JobMetrics, z.output<typeof contract.JobMetrics>>>,
];
