// Vendored from the shared bench kit (../shared/bench/lib/keys.mjs), unchanged except:
// 1 string concatenation written as a template literal (Biome's lint/style/useTemplate fix,
// same behaviour), and reformatted to the repo's Biome style. Update from the kit, not here.
//
// API keys shared by the reference server, the load generator and keys.mjs.
//
// The contract identifies a miner by its key's principal (heartbeat and poll carry no miner id), so N
// simulated miners need N distinct miner keys. They are kept short and bare (`mk_0`, `mk_1`, ...)
// because 10,000 of them must fit in one environment variable: Linux caps a single env string at
// 128 KiB, and `name:key` pairs for 10k miners would not fit.

import { createHash } from 'node:crypto';

export const DEFAULT_CLIENT_KEYS = 'bench:ck_bench';
export const DEFAULT_CLIENT_KEY = 'ck_bench';
export const DEFAULT_ADMIN_KEYS = 'admin:ak_bench';
export const DEFAULT_MINER_KEY_COUNT = 10000;

/** `mk_0 .. mk_{n-1}` */
export function defaultMinerKeys(n = DEFAULT_MINER_KEY_COUNT) {
  return Array.from({ length: n }, (_, i) => `mk_${i}`);
}

/**
 * Expand a key list: "k1,k2", "mk_{0..9999}" (inclusive range), "@file" (comma or newline separated).
 * @param {string} spec
 * @param {(path: string) => string} readFile
 */
export function expandKeyList(spec, readFile) {
  const out = [];
  for (const raw of spec.split(',')) {
    const tok = raw.trim();
    if (!tok) continue;
    if (tok.startsWith('@')) {
      out.push(...expandKeyList(readFile(tok.slice(1)).replace(/\s+/g, ','), readFile));
      continue;
    }
    const m = /^(.*)\{(\d+)\.\.(\d+)\}(.*)$/.exec(tok);
    if (m) {
      for (let i = Number(m[2]); i <= Number(m[3]); i++) out.push(`${m[1]}${i}${m[4]}`);
    } else {
      out.push(tok);
    }
  }
  return out;
}

/** Principal of a bare key, as the contract suggests: `key_` + 12 hex chars of its SHA-256. */
export function derivedPrincipal(key) {
  return `key_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/**
 * Parse `name:key,...` / bare keys (or a JSON array of them) into entries.
 * @returns {{ key: string, principal: string }[]}
 */
export function parseKeySpec(spec) {
  const items = spec.trim().startsWith('[') ? JSON.parse(spec) : spec.split(',');
  return items
    .map((s) => String(s).trim())
    .filter(Boolean)
    .map((s) => {
      const i = s.indexOf(':');
      return i > 0
        ? { principal: s.slice(0, i), key: s.slice(i + 1) }
        : { principal: derivedPrincipal(s), key: s };
    });
}
