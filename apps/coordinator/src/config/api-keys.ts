import { createHash, timingSafeEqual } from 'node:crypto';
import { type SignatureVerifier, signatureVerifier } from '@aitbc/request-signing';

export const ROLES = ['client', 'miner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the principal id is a name, never the raw key. */
export interface Principal {
  id: string;
  role: Role;
}

export interface ApiKeyEntry extends Principal {
  /** SHA-256 of the key: what we compare and keep in memory instead of the key itself. */
  digest: Buffer;
  /** Checks §8a signatures made with this key; holds the keyed HMAC state, not the key. */
  verifySignature: SignatureVerifier;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** A bare key gets a stable id derived from its hash, so it never has to be shown. */
export const derivedKeyId = (key: string) => `key_${sha256(key).toString('hex').slice(0, 12)}`;

/**
 * Parses `name:key,name2:key2`, bare keys, or a JSON array of either form.
 * Throws on an empty key or a name used twice within the role.
 */
export function parseApiKeys(raw: string | undefined, role: Role): ApiKeyEntry[] {
  if (!raw || raw.trim() === '') return [];
  const items = raw.trim().startsWith('[') ? parseJsonList(raw, role) : raw.split(',');
  const entries: ApiKeyEntry[] = [];
  for (const item of items.map((s) => s.trim()).filter(Boolean)) {
    const sep = item.indexOf(':');
    const [name, key] = sep > 0 ? [item.slice(0, sep), item.slice(sep + 1)] : [null, item];
    if (key.length < 4)
      throw new Error(`${role} API key for ${name ?? 'a bare entry'} is too short`);
    const id = name ?? derivedKeyId(key);
    if (entries.some((e) => e.id === id))
      throw new Error(`${role} principal "${id}" appears twice`);
    entries.push({ id, role, digest: sha256(key), verifySignature: signatureVerifier(key) });
  }
  return entries;
}

function parseJsonList(raw: string, role: Role): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${role} API keys: invalid JSON array`);
  }
  if (!Array.isArray(parsed) || !parsed.every((k) => typeof k === 'string')) {
    throw new Error(`${role} API keys: expected a JSON array of strings`);
  }
  return parsed;
}

const NONE: readonly ApiKeyEntry[] = [];

/**
 * Looks keys up by digest. The map lookup is on a hash of the key (no timing signal about the
 * key itself), and the final equality is checked with timingSafeEqual.
 */
export class KeyRing {
  private readonly byDigest = new Map<string, ApiKeyEntry[]>();
  private readonly byName = new Map<string, ApiKeyEntry[]>();

  constructor(entries: ApiKeyEntry[]) {
    for (const e of entries) {
      const k = e.digest.toString('hex');
      this.byDigest.set(k, [...(this.byDigest.get(k) ?? []), e]);
      this.byName.set(e.id, [...(this.byName.get(e.id) ?? []), e]);
    }
  }

  /**
   * The keys configured under principal name `id` (X-Api-Key-Id of a signed request): one per
   * role it is listed in. Empty for an unknown name.
   */
  named(id: string): readonly ApiKeyEntry[] {
    return this.byName.get(id) ?? NONE;
  }

  /** Every role this key holds (a key may be listed under several roles). */
  resolve(key: string): Principal[] {
    const digest = sha256(key);
    const found = this.byDigest.get(digest.toString('hex')) ?? [];
    return found
      .filter((e) => timingSafeEqual(e.digest, digest))
      .map(({ id, role }) => ({ id, role }));
  }

  get size(): number {
    return this.byDigest.size;
  }
}
