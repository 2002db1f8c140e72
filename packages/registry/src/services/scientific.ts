import { z } from 'zod';
import { Artifact, httpUrl, Seed } from '../fields.js';
import { clampTimeout, need, priced, tier } from '../helpers.js';
import { defineService } from '../types.js';

const MD_TIER = tier('per_unit', 0.1, { min_charge: 1, unit: 'simulated ns' });

export const molecularDynamics = defineService({
  id: 'molecular_dynamics',
  name: 'Molecular dynamics',
  category: 'scientific_computing',
  description: 'GPU-accelerated molecular dynamics with GROMACS, OpenMM or AMBER.',
  version: '1.0.0',
  tags: ['molecular-dynamics', 'gromacs', 'openmm', 'amber', 'chemistry', 'biophysics'],
  input: z.strictObject({
    structure_url: httpUrl.describe('PDB or GRO structure'),
    topology_url: httpUrl.nullable().default(null),
    engine: z.enum(['gromacs', 'openmm', 'amber']).default('gromacs'),
    force_field: z
      .enum(['amber99sb-ildn', 'amber14sb', 'charmm36', 'opls-aa'])
      .default('amber99sb-ildn'),
    water_model: z.enum(['tip3p', 'tip4p', 'spc', 'spce']).default('tip3p'),
    ensemble: z.enum(['nvt', 'npt', 'nve']).default('npt'),
    temperature_k: z.number().gt(0).max(1000).default(300),
    pressure_bar: z.number().gt(0).max(1000).default(1),
    timestep_fs: z.number().min(0.5).max(5).default(2),
    simulation_ns: z.number().gt(0).max(1000).default(10),
    output_interval_ps: z.number().min(1).max(10000).default(10),
  }),
  output: z.object({
    trajectory: Artifact,
    final_structure: Artifact,
    log: Artifact,
    simulated_ns: z.number(),
  }),
  example: { structure_url: 'https://example.com/protein.pdb' },
  requirements: [
    need.gpu('nvidia'),
    need.vram(16, { recommended: 24 }),
    need.cpu(16),
    need.ram(32),
    need.storage(100),
  ],
  pricing: [MD_TIER],
  timeout_seconds: 86400,
  max_concurrent: 1,
  // About an hour of wall time per simulated ns, never less than a day.
  timeoutFor: (r) => clampTimeout(Math.max(86400, r.simulation_ns * 3600)),
  estimatePrice: (r) => priced(r.simulation_ns, MD_TIER),
});

const Latitude = z.number().min(-90).max(90);
const Longitude = z.number().min(-180).max(180);
const BoundingBox = z
  .strictObject({ min_lat: Latitude, max_lat: Latitude, min_lon: Longitude, max_lon: Longitude })
  .refine((b) => b.min_lat < b.max_lat, { path: ['max_lat'], message: 'must exceed min_lat' })
  .refine((b) => b.min_lon < b.max_lon, { path: ['max_lon'], message: 'must exceed min_lon' });

export const weatherModeling = defineService({
  id: 'weather_modeling',
  name: 'Weather modeling',
  category: 'scientific_computing',
  description: 'Medium-range weather forecasts with ML models (GraphCast, FourCastNet) or WRF.',
  version: '1.0.0',
  tags: ['weather', 'climate', 'forecast', 'graphcast', 'wrf', 'netcdf'],
  input: z.strictObject({
    init_time: z.iso.datetime({ offset: true }).describe('analysis time of the initial conditions'),
    model: z.enum(['graphcast', 'fourcastnet', 'pangu-weather', 'wrf']).default('graphcast'),
    initial_conditions: z.enum(['gfs', 'era5', 'ifs']).default('gfs'),
    forecast_hours: z.number().int().min(1).max(384).default(72),
    output_interval_hours: z.number().int().min(1).max(24).default(6),
    resolution_deg: z.literal([0.25, 0.5, 1]).default(0.25),
    region: BoundingBox.nullable().default(null).describe('null for the whole globe'),
    variables: z
      .array(
        z.enum(['temperature', 'precipitation', 'wind', 'pressure', 'humidity', 'geopotential']),
      )
      .min(1)
      .max(6)
      .default(['temperature', 'precipitation', 'wind']),
  }),
  output: z.object({ fields: Artifact, steps: z.number().int() }),
  example: { init_time: '2026-11-28T00:00:00Z' },
  requirements: [
    need.gpu('nvidia'),
    need.vram(24, { recommended: 80 }),
    need.ram(64),
    need.storage(200),
  ],
  pricing: [tier('per_hour', 2.5, { min_charge: 0.5 })],
  timeout_seconds: 21600,
  max_concurrent: 1,
  constraintsFor: (r) =>
    r.model === 'graphcast' && r.resolution_deg === 0.25 ? { min_vram_gb: 32 } : {},
  timeoutFor: (r) => clampTimeout(1800 + r.forecast_hours * (r.model === 'wrf' ? 600 : 60)),
});

const PATHS_TIER = tier('per_unit', 0.01, { min_charge: 0.01, unit: 'million paths' });

export const financialModeling = defineService({
  id: 'financial_modeling',
  name: 'Financial modeling',
  category: 'scientific_computing',
  description: 'Monte Carlo option pricing, Greeks and value-at-risk on GPUs.',
  version: '1.0.0',
  tags: ['finance', 'monte-carlo', 'options', 'risk', 'var', 'quant'],
  input: z
    .strictObject({
      method: z.enum(['monte_carlo', 'heston', 'value_at_risk']).default('monte_carlo'),
      instrument: z
        .enum(['european_option', 'american_option', 'asian_option', 'barrier_option'])
        .default('european_option'),
      option_type: z.enum(['call', 'put']).default('call'),
      spot: z.number().gt(0).max(1e9),
      strike: z.number().gt(0).max(1e9),
      volatility: z.number().gt(0).max(5),
      risk_free_rate: z.number().min(-0.1).max(1).default(0.03),
      dividend_yield: z.number().min(0).max(1).default(0),
      maturity_years: z.number().gt(0).max(50),
      barrier: z.number().gt(0).max(1e9).nullable().default(null),
      num_paths: z.number().int().min(1000).max(1_000_000_000).default(1_000_000),
      num_steps: z.number().int().min(1).max(10000).default(252),
      confidence_level: z.number().min(0.9).max(0.999).default(0.99),
      compute_greeks: z.boolean().default(true),
      precision: z.enum(['fp32', 'fp64']).default('fp64'),
      seed: Seed.nullable().default(null),
    })
    .refine((r) => r.instrument !== 'barrier_option' || r.barrier !== null, {
      path: ['barrier'],
      message: 'a barrier_option needs a barrier level',
    }),
  output: z.object({
    price: z.number().nullable(),
    std_error: z.number().nullable(),
    value_at_risk: z.number().nullable(),
    greeks: z.record(z.enum(['delta', 'gamma', 'vega', 'theta', 'rho']), z.number()).nullable(),
  }),
  example: { spot: 100, strike: 105, volatility: 0.2, maturity_years: 1 },
  requirements: [need.gpu('nvidia'), need.vram(8, { recommended: 24 }), need.cuda('11.8')],
  pricing: [PATHS_TIER],
  timeout_seconds: 3600,
  max_concurrent: 4,
  estimatePrice: (r) => priced(r.num_paths / 1e6, PATHS_TIER),
});

const MESH_VRAM_GB = { coarse: 8, medium: 8, fine: 16, ultra: 24 };

export const physicsSimulation = defineService({
  id: 'physics_simulation',
  name: 'Physics simulation',
  category: 'scientific_computing',
  description: 'Scientific CFD, finite-element, N-body and lattice-Boltzmann simulations.',
  version: '1.0.0',
  tags: ['physics', 'cfd', 'fea', 'n-body', 'simulation', 'hpc'],
  input: z
    .strictObject({
      model_url: httpUrl.describe('mesh or scene description'),
      solver: z.enum(['cfd', 'fea', 'n_body', 'particle', 'lattice_boltzmann']).default('cfd'),
      simulated_seconds: z.number().gt(0).max(1e6).default(1),
      time_step: z.number().gt(0).max(1).default(0.001),
      mesh_resolution: z.enum(['coarse', 'medium', 'fine', 'ultra']).default('medium'),
      precision: z.enum(['fp32', 'fp64']).default('fp32'),
      output_frames: z.number().int().min(1).max(10000).default(100),
    })
    .refine((r) => r.time_step <= r.simulated_seconds, {
      path: ['time_step'],
      message: 'time_step must not exceed simulated_seconds',
    }),
  output: z.object({ results: Artifact, frames: z.number().int() }),
  example: { model_url: 'https://example.com/wing.msh' },
  requirements: [
    need.gpu('nvidia'),
    need.vram(8, { recommended: 48 }),
    need.cuda('11.8'),
    need.cpu(8),
    need.ram(32),
    need.storage(50),
  ],
  pricing: [tier('per_hour', 1.5, { min_charge: 0.25 })],
  timeout_seconds: 14400,
  max_concurrent: 2,
  constraintsFor: (r) => ({ min_vram_gb: MESH_VRAM_GB[r.mesh_resolution] }),
});

export const bioinformatics = defineService({
  id: 'bioinformatics',
  name: 'Bioinformatics',
  category: 'scientific_computing',
  description: 'Sequence alignment, variant calling, RNA-seq and protein structure prediction.',
  version: '1.0.0',
  tags: ['genomics', 'alignment', 'variant-calling', 'protein-folding', 'parabricks', 'biology'],
  input: z.strictObject({
    input_urls: z.array(httpUrl).min(1).max(64).describe('FASTQ, BAM or FASTA files'),
    pipeline: z
      .enum(['sequence_alignment', 'variant_calling', 'rna_seq', 'protein_folding'])
      .default('sequence_alignment'),
    reference_genome: z.enum(['grch38', 'grch37', 't2t-chm13', 'mm39', 'none']).default('grch38'),
    min_base_quality: z.number().int().min(0).max(60).default(20),
    output_format: z.enum(['bam', 'cram', 'vcf', 'pdb', 'tsv']).nullable().default(null),
  }),
  output: z.object({ results: z.array(Artifact), summary: z.record(z.string(), z.number()) }),
  example: { input_urls: ['https://example.com/sample_R1.fastq.gz'] },
  requirements: [
    need.gpu('nvidia'),
    need.vram(16, { recommended: 40 }),
    need.ram(64),
    need.storage(500),
  ],
  pricing: [tier('per_hour', 1), tier('per_gb', 0.05, { unit: 'GB of input' })],
  timeout_seconds: 43200,
  max_concurrent: 2,
  constraintsFor: (r) => (r.pipeline === 'protein_folding' ? { min_vram_gb: 24 } : {}),
});

export const SCIENTIFIC_SERVICES = [
  molecularDynamics,
  weatherModeling,
  financialModeling,
  physicsSimulation,
  bioinformatics,
];
