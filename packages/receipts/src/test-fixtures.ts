// Shared by the *.test.ts files. Excluded from the build (tsconfig.build.json).
import { canonicalSha256 } from './canonical-json.js';
import type { UnsignedReceiptInput } from './receipt.js';

// RFC 8032 §7.1, TEST 1 (empty message).
export const RFC8032_TEST1 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
} as const;

// RFC 8032 §7.1, TEST 2: a second, unrelated key for "untrusted" and "attestation" roles.
export const RFC8032_TEST2 = {
  seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
} as const;

export const hexBytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

// A complete receipt body as the coordinator would sign it.
export function sampleReceipt(): UnsignedReceiptInput {
  return {
    version: '2',
    receipt_id: 'rcpt_01J9Z8Q4X7',
    job_id: 'job_01J9Z8PZ3K',
    attempt: 1,
    service: 'llm-inference',
    provider: 'prov_gpu_eu_7',
    client: 'cli_acme',
    units: 1834,
    unit_type: 'gpu_seconds',
    price: 0.0042,
    started_at: 1732780000,
    completed_at: 1732781834,
    payload_sha256: canonicalSha256({ model: 'llama-3-8b', prompt: 'Grüße 😀' }),
    result_sha256: canonicalSha256({ text: 'Hallo', tokens: 2 }),
    coordinator_id: 'coord-eu-1',
    metadata: { region: 'eu-west', gpu: { model: 'A100', count: 2 }, tags: ['batch', 'spot'] },
  };
}
