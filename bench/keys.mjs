#!/usr/bin/env node
// Vendored from the shared bench kit (../shared/bench/keys.mjs), unchanged except:
// nothing (only reformatted to the repo's Biome style). Update from the kit, not here.
//
// Prints the bench API keys as environment settings for the coordinator under test, so that it accepts the
// load generator's defaults (client `ck_bench`, miners `mk_0..mk_{N-1}`, bare keys).
//
//   eval "$(node keys.mjs)"                     # export CLIENT_API_KEYS, MINER_API_KEYS, ADMIN_API_KEYS
//   node keys.mjs --miners 10000 --dotenv > bench.env

import { parseArgs } from 'node:util';
import {
  DEFAULT_ADMIN_KEYS,
  DEFAULT_CLIENT_KEYS,
  DEFAULT_MINER_KEY_COUNT,
  defaultMinerKeys,
} from './lib/keys.mjs';

const { values } = parseArgs({
  options: {
    miners: { type: 'string', default: String(DEFAULT_MINER_KEY_COUNT) },
    dotenv: { type: 'boolean', default: false },
  },
});
const vars = {
  CLIENT_API_KEYS: DEFAULT_CLIENT_KEYS,
  MINER_API_KEYS: defaultMinerKeys(Number(values.miners)).join(','),
  ADMIN_API_KEYS: DEFAULT_ADMIN_KEYS,
};
for (const [k, v] of Object.entries(vars))
  process.stdout.write(values.dotenv ? `${k}=${v}\n` : `export ${k}='${v}'\n`);
