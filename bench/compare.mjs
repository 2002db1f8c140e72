#!/usr/bin/env node
// Vendored from the shared bench kit (../shared/bench/compare.mjs), unchanged except:
// imports sorted and 4 string concatenations written as template literals
// (Biome's organizeImports / lint/style/useTemplate fixes, same behaviour), and reformatted
// to the repo's Biome style. Update from the kit, not here.
//
// Runs one load-generator scenario against two base URLs in alternation (A B A B ...) and prints A/B ratios
// of throughput and latency percentiles, pair by pair and as a median. B defaults to the reference.
//
//   node compare.mjs --a http://127.0.0.1:8011 [--b http://127.0.0.1:8100] [--rounds 3] -- --scenario e2e --duration 30
//   node compare.mjs --a http://127.0.0.1:8011 --at-fraction 0.5 -- --scenario e2e      # 50% of A's max, open loop
//
// Flags that compare.mjs does not know are handed to loadgen/run.mjs unchanged.

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const OWN = {
  '--a': 'base URL of A (the coordinator under test)',
  '--b': 'base URL of B [http://127.0.0.1:8100, the reference]',
  '--a-name': 'label of A [coordinator]',
  '--b-name': 'label of B [reference]',
  '--rounds': 'pairs to run [3]',
  '--pause': 'seconds between runs [3]',
  '--at-fraction':
    "e2e: first find A's max jobs/s (closed loop), then run both open loop at this fraction of it",
  '--probe-duration': 'seconds of that probe [the --duration passed on, else 10]',
  '--out': 'also write every run and the summary as JSON to this file',
};

function parse(argv) {
  const o = {
    a: undefined,
    b: 'http://127.0.0.1:8100',
    aName: 'coordinator',
    bName: 'reference',
    rounds: 3,
    pause: 3,
    atFraction: undefined,
    probeDuration: undefined,
    out: undefined,
    verbose: false,
  };
  const pass = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--') {
      pass.push(...argv.slice(i + 1));
      break;
    }
    if (flag === '--help') {
      usage();
      process.exit(0);
    }
    if (flag === '--verbose') {
      o.verbose = true;
      continue;
    }
    if (!(flag in OWN)) {
      pass.push(argv[i]);
      continue;
    }
    const val = inline ?? argv[++i];
    if (val === undefined) throw new Error(`${flag} needs a value`);
    const key = flag.slice(2).replace(/-(\w)/g, (_, c) => c.toUpperCase());
    o[key] = ['rounds', 'pause', 'atFraction', 'probeDuration'].includes(key) ? Number(val) : val;
  }
  if (!o.a) {
    usage();
    throw new Error('--a is required');
  }
  return { o, pass };
}

function usage() {
  process.stderr.write(
    'usage: node compare.mjs --a URL [--b URL] [options] [-- loadgen options]\n' +
      Object.entries(OWN)
        .map(([k, v]) => `  ${k.padEnd(18)} ${v}`)
        .join('\n') +
      "\n  --verbose          show each run's table\n",
  );
}

const passValue = (pass, name) => {
  for (let i = pass.length - 1; i >= 0; i--) {
    if (pass[i] === name) return pass[i + 1];
    if (pass[i].startsWith(`${name}=`)) return pass[i].slice(name.length + 1);
  }
  return undefined;
};

function runLoadgen(base, label, args, verbose) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(HERE, 'loadgen', 'run.mjs'), '--base', base, '--label', label, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      err += c;
      if (verbose) process.stderr.write(c);
    });
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      if ((code === 0 || code === 2) && line) {
        try {
          return resolve(JSON.parse(line));
        } catch {
          /* fall through */
        }
      }
      reject(new Error(`loadgen against ${base} exited ${code}:\n${err.trim()}`));
    });
  });
}

const METRICS = {
  e2e: [
    ['jobs/s', (r) => r.throughput.jobs_per_s, 'higher'],
    ['submit p50 ms', (r) => r.latency_ms.submit.p50, 'lower'],
    ['submit p99 ms', (r) => r.latency_ms.submit.p99, 'lower'],
    ['dispatch p50 ms', (r) => r.latency_ms.dispatch.p50, 'lower'],
    ['dispatch p99 ms', (r) => r.latency_ms.dispatch.p99, 'lower'],
    ['result p99 ms', (r) => r.latency_ms.result.p99, 'lower'],
    ['server cpu cores', (r) => r.cpu.server_cores, 'lower'],
    ['postgres cpu cores', (r) => r.cpu.postgres_cores, 'lower'],
  ],
  heartbeat: [
    ['heartbeats/s', (r) => r.throughput.hb_per_s, 'higher'],
    ['heartbeat p50 ms', (r) => r.latency_ms.heartbeat.p50, 'lower'],
    ['heartbeat p99 ms', (r) => r.latency_ms.heartbeat.p99, 'lower'],
    ['server cpu cores', (r) => r.cpu.server_cores, 'lower'],
    ['postgres cpu cores', (r) => r.cpu.postgres_cores, 'lower'],
  ],
};

const median = (xs) => {
  const a = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((x, y) => x - y);
  if (a.length === 0) return null;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
};
const fmt = (x, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '-'
    : x >= 100
      ? x.toFixed(0)
      : x.toFixed(d);

async function main() {
  const { o, pass } = parse(process.argv.slice(2));
  const scenario = passValue(pass, '--scenario') ?? 'e2e';
  if (!METRICS[scenario]) throw new Error(`unknown scenario ${scenario}`);
  const args = [...pass];
  let probe = null;
  if (o.atFraction !== undefined) {
    if (scenario !== 'e2e') throw new Error('--at-fraction applies to the e2e scenario');
    if (passValue(pass, '--rate')) throw new Error('give either --at-fraction or --rate');
    const probeArgs = [
      ...pass,
      ...(o.probeDuration || !passValue(pass, '--duration')
        ? ['--duration', String(o.probeDuration ?? 10)]
        : []),
    ];
    process.stderr.write(`probe: closed-loop e2e against A to find its max jobs/s ...\n`);
    probe = await runLoadgen(o.a, `${o.aName} probe`, probeArgs, o.verbose);
    const rate = Math.max(1, Math.round(probe.throughput.jobs_per_s * o.atFraction));
    process.stderr.write(
      `probe: A max ${probe.throughput.jobs_per_s} jobs/s -> offered rate ${rate}/s (${o.atFraction} of it) for both\n`,
    );
    args.push('--rate', String(rate));
    await new Promise((r) => setTimeout(r, o.pause * 1000));
  }

  const runs = [];
  for (let round = 1; round <= o.rounds; round++) {
    const pair = {};
    for (const [side, base, name] of [
      ['A', o.a, o.aName],
      ['B', o.b, o.bName],
    ]) {
      process.stderr.write(`round ${round}/${o.rounds}: ${side} ${name} ${base} ... `);
      const r = await runLoadgen(base, `${name} round ${round}`, args, o.verbose);
      const [first] = METRICS[scenario];
      process.stderr.write(
        `${first[0]} ${first[1](r)}${r.errors_total ? `, ${r.errors_total} errors` : ''}${r.ok ? '' : ', CORRECTNESS FAILURE'}\n`,
      );
      pair[side] = r;
      if (!(round === o.rounds && side === 'B'))
        await new Promise((res) => setTimeout(res, o.pause * 1000));
    }
    runs.push(pair);
  }

  // ---- report
  const L = [];
  const first = runs[0].A;
  L.push(
    `${scenario}: A = ${o.aName} ${o.a}, B = ${o.bName} ${o.b}; ${o.rounds} pairs, A then B, ${first.window_s}s measured each`,
  );
  L.push(
    `host: ${first.host.cpus} x ${first.host.cpu_model}, node ${first.host.node}; loadgen args: ${args.join(' ') || '(defaults)'}`,
  );
  if (probe)
    L.push(
      `offered load: ${passValue(args, '--rate')} jobs/s open loop = ${o.atFraction} x A's closed-loop max of ${probe.throughput.jobs_per_s} jobs/s`,
    );
  const head = [
    'metric'.padEnd(20),
    ...runs.map((_, i) => `A/B #${i + 1}`.padStart(9)),
    'median A'.padStart(10),
    'median B'.padStart(10),
    'median A/B'.padStart(11),
  ];
  L.push('', head.join(''));
  const summary = {};
  for (const [name, get, better] of METRICS[scenario]) {
    const ratios = runs.map((p) => {
      const a = get(p.A);
      const b = get(p.B);
      return a === null || b === null || b === 0 ? null : a / b;
    });
    const mA = median(runs.map((p) => get(p.A)));
    const mB = median(runs.map((p) => get(p.B)));
    const mR = median(ratios);
    summary[name] = {
      better,
      ratios: ratios.map((x) => (x === null ? null : Math.round(x * 1000) / 1000)),
      median_a: mA,
      median_b: mB,
      median_ratio: mR === null ? null : Math.round(mR * 1000) / 1000,
    };
    L.push(
      [
        name.padEnd(20),
        ...ratios.map((x) => fmt(x).padStart(9)),
        fmt(mA).padStart(10),
        fmt(mB).padStart(10),
        fmt(mR).padStart(11),
      ].join(''),
    );
  }
  L.push(
    '(throughput: A/B > 1 means A is faster; latency and cpu: A/B > 1 means A is slower / costlier)',
  );

  const checks = [];
  const aRuns = runs.map((p) => p.A);
  const sumCorr = (k) => aRuns.reduce((s, r) => s + (r.correctness?.[k] ?? 0), 0);
  if (scenario === 'e2e') {
    checks.push([
      'A correctness: double claims, double completions, claims after completion = 0',
      sumCorr('double_claims') +
        sumCorr('double_completions') +
        sumCorr('claimed_after_completion') ===
        0,
      `${sumCorr('double_claims')}/${sumCorr('double_completions')}/${sumCorr('claimed_after_completion')}`,
    ]);
    checks.push([
      'A errors = 0',
      aRuns.every((r) => r.errors_total === 0),
      aRuns.map((r) => r.errors_total).join('/'),
    ]);
    if (!passValue(args, '--rate')) {
      checks.push([
        'e2e jobs/s >= 0.7 x reference (closed loop)',
        summary['jobs/s'].median_ratio >= 0.7,
        fmt(summary['jobs/s'].median_ratio),
      ]);
    } else {
      const at = probe ? `${o.atFraction} x A's max` : `--rate ${passValue(args, '--rate')}`;
      checks.push([
        `dispatch p99 <= 25 ms at ${at}`,
        summary['dispatch p99 ms'].median_a <= 25,
        `${fmt(summary['dispatch p99 ms'].median_a)} ms`,
      ]);
      checks.push([
        `submit p99 <= 10 ms at ${at}`,
        summary['submit p99 ms'].median_a <= 10,
        `${fmt(summary['submit p99 ms'].median_a)} ms`,
      ]);
      const achieved = median(
        aRuns.map((r) => r.throughput.submits_per_s / r.throughput.offered_rate),
      );
      checks.push([
        'A kept up with the offered rate (>= 98%)',
        achieved >= 0.98,
        `${fmt(achieved * 100, 1)}%`,
      ]);
    }
  } else {
    const miners = first.config.miners;
    const interval = first.config.interval;
    checks.push([
      `heartbeat p99 <= 20 ms (${miners} miners every ${interval} s${miners >= 10000 && interval <= 5 ? '' : '; the target is 10000 every 5 s'})`,
      summary['heartbeat p99 ms'].median_a <= 20,
      `${fmt(summary['heartbeat p99 ms'].median_a)} ms`,
    ]);
    const frac = median(aRuns.map((r) => r.throughput.achieved_fraction));
    checks.push([
      'A held the offered heartbeat rate (>= 99%)',
      frac >= 0.99,
      `${fmt(frac * 100, 1)}%`,
    ]);
    checks.push([
      'A errors = 0',
      aRuns.every((r) => r.errors_total === 0),
      aRuns.map((r) => r.errors_total).join('/'),
    ]);
  }
  L.push('', 'targets for A:');
  for (const [what, ok, val] of checks) L.push(`  ${ok ? 'PASS' : 'FAIL'}  ${what}: ${val}`);
  process.stdout.write(`${L.join('\n')}\n`);

  if (o.out) {
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(
      o.out,
      JSON.stringify(
        {
          scenario,
          a: o.a,
          b: o.b,
          rounds: o.rounds,
          args,
          probe,
          summary,
          checks: checks.map(([what, ok, value]) => ({ what, ok, value })),
          runs,
        },
        null,
        1,
      ),
    );
    process.stderr.write(`wrote ${o.out}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`compare: ${e.message}\n`);
  process.exit(1);
});
