#!/usr/bin/env node
// `npm run bench:smoke`: the bench harness cut down to a CI-sized check that it still works end to end
// (about 30 s): one pair of each, 2 s measured; e2e closed loop with 5 miners x 2, and 200 miners
// heartbeating every second. Its own databases (aitbc_bench_smoke_*) and free ports, so it does not
// collide with a full bench or with a coordinator someone runs on 8011.
//
// Exit status 1 only when a run failed, or a correctness counter or an error count is non-zero, on
// either server. Ratios and targets are printed, never judged: 2 s on a shared CI box measures nothing.
//
// Environment: BENCH_PG_URL (admin URL of the PostgreSQL; default postgresql://postgres@127.0.0.1:5432/postgres).
import {
  defaultReportPath,
  pgUrlFromEnv,
  runHarness,
  STRICT_COUNTERS,
  summarize,
} from './harness.mjs';

const COMMON = ['--duration', '2', '--warmup', '1'];
const SCENARIOS = [
  {
    name: 'e2e',
    loadgenArgs: ['--scenario', 'e2e', '--miners', '5', '--concurrency', '2', ...COMMON],
    checkCounters: [
      ...STRICT_COUNTERS,
      'results_rejected',
      'not_completed_after_drain',
      'claimed_not_submitted_here',
    ],
  },
  {
    name: 'heartbeat',
    loadgenArgs: ['--scenario', 'heartbeat', '--miners', '200', '--interval', '1', ...COMMON],
    checkCounters: [],
  },
];

async function main() {
  if (process.argv.length > 2) {
    process.stderr.write(
      'bench:smoke takes no flags (see `npm run bench -- --help` for the full bench)\n',
    );
    return 1;
  }
  const out = defaultReportPath('smoke-');
  const report = await runHarness({
    kind: 'smoke',
    scenarios: SCENARIOS,
    rounds: 1,
    pause: 1,
    pgUrl: pgUrlFromEnv(),
    dbPrefix: 'aitbc_bench_smoke',
    coordPort: 'auto',
    refPort: 'auto',
    portFallback: { coord: true, ref: true },
    build: false,
    out,
  });
  summarize(report, out);
  if (Object.keys(report.scenarios).length > 0) {
    process.stdout.write(
      '(the targets above are for the full bench; the smoke judges only runs, counters and errors)\n',
    );
  }
  const failed = report.failure || report.problems.length > 0;
  process.stdout.write(
    failed
      ? 'bench:smoke FAILED (a run failed or a counter above is non-zero)\n'
      : 'bench:smoke ok: every run completed; no double claims, rejected results or errors\n',
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench:smoke: ${e.message}\n`);
    process.exit(1);
  },
);
