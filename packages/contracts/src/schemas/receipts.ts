import { z } from 'zod';

export const Signature = z.object({
  alg: z.literal('Ed25519'),
  key_id: z.string(),
  sig: z.string(),
});

/** A signed receipt (contract §6). Optional fields are left out, never null. */
export const Receipt = z.object({
  version: z.literal('2'),
  receipt_id: z.string(),
  job_id: z.string(),
  attempt: z.number().int(),
  service: z.string().optional(),
  provider: z.string(),
  client: z.string(),
  units: z.number(),
  unit_type: z.string(),
  price: z.number().optional(),
  started_at: z.number().int(),
  completed_at: z.number().int(),
  payload_sha256: z.string(),
  result_sha256: z.string(),
  coordinator_id: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  signature: Signature,
  attestations: z.array(Signature).optional(),
});
export type Receipt = z.infer<typeof Receipt>;

export const Jwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  kid: z.string(),
  x: z.string(),
  use: z.literal('sig').optional(),
});
export const JwkSet = z.object({ keys: z.array(Jwk) });
