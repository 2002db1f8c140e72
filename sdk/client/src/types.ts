/**
 * The wire types, inferred from the coordinator's router so they cannot drift from it. Inputs are
 * what a caller may send (defaults optional), outputs what the server answers.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './transport.js';

type Inputs = inferRouterInputs<AppRouter>;
type Outputs = inferRouterOutputs<AppRouter>;

export type SubmitJobInput = Inputs['jobs']['submit'];
export type JobView = Outputs['jobs']['get'];
export type JobState = JobView['state'];
export type JobPage = Outputs['jobs']['list'];
export type ListJobsFilter = NonNullable<Inputs['jobs']['list']>;
export type JobResultView = Outputs['jobs']['result'];
export type Receipt = Outputs['jobs']['receipt'];
export type ReceiptPage = Outputs['jobs']['receipts'];
export type ListReceiptsInput = Inputs['jobs']['receipts'];
export type PublishedKeys = Outputs['receipts']['keys'];
export type ServiceEndpointList = Outputs['services']['list'];

export const TERMINAL_STATES: readonly JobState[] = ['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'];

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.includes(state);
}
