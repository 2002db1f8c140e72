import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AsyncReceiptSigner, Ed25519Signer, JwkSet } from '@aitbc/receipts';
import { createNodeSigner, generateSeedHex } from '@aitbc/receipts/node';
import type { Config } from '../config/config.js';

/** The coordinator's signing key and optional attestation key, imported once at boot. */
export interface ReceiptKeys {
  signer: Ed25519Signer & AsyncReceiptSigner;
  attesters: (Ed25519Signer & AsyncReceiptSigner)[];
  /** What `/v1/receipts/keys` publishes: every key a receipt from here can carry. */
  jwks: JwkSet;
}

const DEV_KEY_FILE = 'receipt-signing-key.hex';

/**
 * Outside production, a missing signing key is generated once and kept in DATA_DIR (mode 0600),
 * so receipts from a zero-config start still verify after a restart. Production requires
 * RECEIPT_SIGNING_KEY_HEX (checked by loadConfig).
 */
export function loadReceiptKeys(config: Config): ReceiptKeys {
  const signer = createNodeSigner(config.signingKeyHex ?? devSigningKey(config.dataDir));
  const attesters = config.attestationKeyHex ? [createNodeSigner(config.attestationKeyHex)] : [];
  return { signer, attesters, jwks: { keys: [signer, ...attesters].map((s) => s.jwk) } };
}

function devSigningKey(dataDir: string): string {
  const path = join(dataDir, DEV_KEY_FILE);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const seed = generateSeedHex();
  writeFileSync(path, `${seed}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return seed;
}
