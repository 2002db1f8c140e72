import {
  CONSTRAINT_CHECKS,
  CONSTRAINT_NAMES,
  type ConstraintKey,
  type ExplainJobOutput,
  type JobConstraints,
  type MinerProfile,
  type SubmitJobInput,
} from '@aitbc/contracts';
import type { ServiceContext } from './context.js';
import { planJob } from './plan-job.js';

interface OnlineMiner {
  profile: MinerProfile;
  free: number;
}

/**
 * A dry run of a submit: the job is planned exactly as submit would (same validation, same
 * errors, same effective constraints) but not stored, and each check of CONSTRAINT_CHECKS is run
 * over the profiles of the ONLINE miners. `excluded_by` blames each ineligible miner on the
 * first check it fails, in the fixed order of CONSTRAINT_CHECKS, so its counts add up to
 * online − eligible.
 */
export async function explainJob(
  ctx: ServiceContext,
  input: SubmitJobInput,
): Promise<ExplainJobOutput> {
  const plan = planJob(ctx.config, input);
  const { rows } = await ctx.db.query<OnlineMiner>(
    `select json_build_object('gpus', gpus, 'cuda', cuda, 'models', models,
       'region', match_region, 'price', price, 'services', services) as profile,
       greatest(0, concurrency - inflight)::int as free
     from miners where status = 'ONLINE'`,
  );
  const passing = Object.fromEntries(CONSTRAINT_NAMES.map((k) => [k, 0])) as Record<
    ConstraintKey,
    number
  >;
  const blamed = { ...passing };
  let eligible = 0;
  let freeSlots = 0;
  for (const miner of rows) {
    let first: ConstraintKey | null = null;
    for (const name of CONSTRAINT_NAMES) {
      if (CONSTRAINT_CHECKS[name](plan.requirements, miner.profile)) passing[name]++;
      else first ??= name;
    }
    if (first === null) {
      eligible++;
      freeSlots += miner.free;
    } else {
      blamed[first]++;
    }
  }
  return {
    service: plan.service,
    constraints: plan.constraints,
    estimated_price: plan.estimatedPrice,
    online_miners: rows.length,
    eligible_miners: eligible,
    free_slots: freeSlots,
    checks: CONSTRAINT_NAMES.map((name) => ({
      constraint: name,
      required: describeRequirement(name, plan.constraints, plan.service),
      passing: passing[name],
      failing: rows.length - passing[name],
    })),
    excluded_by: CONSTRAINT_NAMES.filter((name) => blamed[name] > 0).map((name) => ({
      constraint: name,
      miners: blamed[name],
    })),
  };
}

/** What the job needs for one check, in words; null when the job does not constrain it. */
function describeRequirement(
  name: ConstraintKey,
  c: JobConstraints,
  service: string | null,
): string | null {
  switch (name) {
    case 'service':
      return service === null ? null : `offers ${service}`;
    case 'gpu': {
      if (c.gpu === undefined && c.min_vram_gb === undefined) return null;
      const which = c.gpu === undefined || c.gpu === 'any' ? 'any GPU' : `${c.gpu} GPU`;
      return c.min_vram_gb === undefined ? which : `${which} with ≥ ${c.min_vram_gb} GB`;
    }
    case 'cuda':
      return c.cuda === undefined ? null : `CUDA ≥ ${c.cuda}`;
    case 'models':
      return c.models?.length ? `models ${c.models.join(', ')}` : null;
    case 'region':
      return c.region === undefined ? null : `region ${c.region}`;
    case 'max_price':
      return c.max_price === undefined ? null : `price ≤ ${c.max_price}`;
  }
}
