#!/usr/bin/env node
// `npm run bench`: the coordinator against the bare reference, on the same PostgreSQL, in the same run.
// See bench/README.md. Examples (from the repository root):
//
//   npm run bench                                            # e2e, latency, heartbeat; 3 pairs of 20 s
//   npm run bench -- --scenarios e2e --rounds 5 --duration 30
//   npm run bench -- --scenarios latency -- --payload-bytes 4096   # after a second `--`: loadgen flags
//
// Exit status: 0 ok; 1 a run failed; 2 a correctness counter or an error count is non-zero (the
// targets and ratios never change the exit status: they are printed and written to the report).
import { parseArgs } from 'node:util';
import {
  DEFAULT_PG_URL,
  defaultReportPath,
  parseEnvPairs,
  pgUrlFromEnv,
  runHarness,
  STRICT_COUNTERS,
  summarize,
} from './harness.mjs';

const OPTIONS = {
  scenarios: { type: 'string', default: 'e2e,latency,heartbeat', help: 'comma-separated' },
  rounds: {
    type: 'string',
    default: '3',
    help: 'pairs (coordinator, then reference) per scenario',
  },
  duration: { type: 'string', default: '20', help: 'measured seconds of each run' },
  pause: { type: 'string', default: '3', help: 'seconds between runs' },
  'pg-url': {
    type: 'string',
    help: `admin URL of the PostgreSQL [BENCH_PG_URL or ${DEFAULT_PG_URL}]`,
  },
  'db-prefix': {
    type: 'string',
    default: 'aitbc_bench',
    help: 'databases <prefix>_ref, <prefix>_coord',
  },
  'coord-port': { type: 'string', help: 'coordinator port [8011, or a free one if 8011 is taken]' },
  'ref-port': { type: 'string', help: 'reference port [8100, or a free one if 8100 is taken]' },
  build: {
    type: 'boolean',
    default: false,
    help: 'build the coordinator first (else only if no dist)',
  },
  'coord-env': {
    type: 'string',
    multiple: true,
    help: 'KEY=VALUE for the coordinator (repeatable)',
  },
  'ref-env': { type: 'string', multiple: true, help: 'KEY=VALUE for the reference (repeatable)' },
  out: { type: 'string', help: 'report path [bench/results/<timestamp>.json]' },
  verbose: { type: 'boolean', default: false, help: "show every load-generator run's table" },
  help: { type: 'boolean', default: false },
};

const E2E = ['--scenario', 'e2e', '--miners', '50', '--concurrency', '2'];
/** What each scenario name means: compare.mjs flags, load-generator flags, counters that must stay 0. */
const SCENARIOS = {
  // closed loop, 50 miners x 2 poll loops, 200 submitters: maximum jobs/s (target >= 0.7 x reference)
  e2e: { compareArgs: [], loadgenArgs: E2E, checkCounters: STRICT_COUNTERS },
  // open loop at half of the coordinator's closed-loop maximum: dispatch p99 <= 25 ms, submit p99 <= 10 ms
  latency: {
    compareArgs: ['--at-fraction', '0.5'],
    loadgenArgs: E2E,
    checkCounters: STRICT_COUNTERS,
  },
  // 10,000 registered miners heartbeating every 5 s (2,000/s): held, p99 <= 20 ms
  heartbeat: {
    compareArgs: [],
    loadgenArgs: ['--scenario', 'heartbeat', '--miners', '10000', '--interval', '5'],
    checkCounters: [],
  },
};

function usage() {
  const lines = Object.entries(OPTIONS).map(
    ([k, o]) =>
      `  --${k.padEnd(12)} ${o.help ?? ''}${o.default !== undefined && o.type !== 'boolean' ? ` [${o.default}]` : ''}`,
  );
  process.stderr.write(
    `usage: npm run bench -- [options] [-- load-generator flags]\n${lines.join('\n')}\nscenarios: ${Object.keys(SCENARIOS).join(', ')}\n`,
  );
}

const port = (v, dflt) => {
  if (v === undefined) return dflt;
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`bad port ${v}`);
  return n;
};

async function main() {
  const argv = process.argv.slice(2);
  const sep = argv.indexOf('--');
  const own = sep < 0 ? argv : argv.slice(0, sep);
  const extra = sep < 0 ? [] : argv.slice(sep + 1);
  const { values: v } = parseArgs({ args: own, options: OPTIONS, strict: true });
  if (v.help) {
    usage();
    return 0;
  }
  const num = (k, zeroOk = false) => {
    const n = Number(v[k]);
    if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroOk)) throw new Error(`--${k}: bad number`);
    return n;
  };
  const duration = String(num('duration'));
  const names = v.scenarios
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) if (!SCENARIOS[n]) throw new Error(`unknown scenario "${n}"`);
  if (names.length === 0) throw new Error('no scenario given');
  const out = v.out ?? defaultReportPath();
  const report = await runHarness({
    kind: 'bench',
    scenarios: names.map((name) => ({
      name,
      ...SCENARIOS[name],
      loadgenArgs: [...SCENARIOS[name].loadgenArgs, '--duration', duration, ...extra],
    })),
    rounds: Math.max(1, Math.round(num('rounds'))),
    pause: num('pause', true),
    pgUrl: v['pg-url'] ?? pgUrlFromEnv(),
    dbPrefix: v['db-prefix'],
    coordPort: port(v['coord-port'], 8011),
    refPort: port(v['ref-port'], 8100),
    portFallback: { coord: v['coord-port'] === undefined, ref: v['ref-port'] === undefined },
    build: v.build,
    coordEnv: parseEnvPairs(v['coord-env']),
    refEnv: parseEnvPairs(v['ref-env']),
    out,
    verbose: v.verbose,
  });
  summarize(report, out);
  if (report.failure || Object.values(report.scenarios).some((s) => !s.ok)) return 1;
  return report.problems.length ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench: ${e.message}\n`);
    process.exit(1);
  },
);
