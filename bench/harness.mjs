// The bench harness shared by run.mjs (`npm run bench`) and smoke.mjs (`npm run bench:smoke`): fresh
// databases on one PostgreSQL, the bare reference and the built coordinator side by side, compare.mjs
// once per scenario, a JSON report, and a cleanup that always runs (also on Ctrl-C or a failure).
//
// Not a test: it measures. The only verdicts it gives are "a run failed" and "a correctness or error
// counter is non-zero"; the ratios are for people to read.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DEFAULT_ADMIN_KEYS, DEFAULT_CLIENT_KEYS, defaultMinerKeys } from './lib/keys.mjs';
import { pidListeningOn } from './loadgen/lib.mjs';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(HERE);
const COORDINATOR_MAIN = join(ROOT, 'apps/coordinator/dist/main.js');
const REFERENCE_MAIN = join(HERE, 'reference/server.mjs');
const COMPARE = join(HERE, 'compare.mjs');

export const DEFAULT_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
/** The admin URL of the PostgreSQL both servers use: BENCH_PG_URL, else the local default. */
export function pgUrlFromEnv() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: turbo never runs the bench, so its cache is not involved
  return process.env.BENCH_PG_URL || DEFAULT_PG_URL;
}
/** Bench only, not a secret: production mode requires a receipt signing seed, and a fixed one keeps runs alike. */
const RECEIPT_SIGNING_KEY_HEX = 'be'.repeat(32);
/** Counters that must be 0 in every e2e run, on either side (a non-zero one is a bug, not a measurement). */
export const STRICT_COUNTERS = ['double_claims', 'double_completions', 'claimed_after_completion'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** `postgresql://user:secret@host/db` -> `postgresql://user:***@host/db` */
export function redactUrl(u) {
  try {
    const url = new URL(u);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function dbUrl(base, name) {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** True when nothing listens on 127.0.0.1:port. */
function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * 'auto' -> a free port. A number -> that port; if it is taken, a free port instead when `fallback`
 * (the defaults: on a shared box someone else's coordinator may sit on 8011), else an error.
 */
async function choosePort(want, fallback, what) {
  if (want === 'auto') return freePort();
  if (await portFree(want)) return want;
  if (!fallback)
    throw new Error(`port ${want} for the ${what} is taken (pid ${pidListeningOn(want)})`);
  const port = await freePort();
  log(`port ${want} for the ${what} is taken (pid ${pidListeningOn(want)}), using ${port}`);
  return port;
}

/** VmRSS and VmHWM (peak) of a process in MiB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? Number.NaN);
    const mib = (x) => (Number.isFinite(x) ? Math.round((x / 1024) * 10) / 10 : null);
    return { rss_mib: mib(kb('VmRSS')), peak_rss_mib: mib(kb('VmHWM')) };
  } catch {
    return { rss_mib: null, peak_rss_mib: null };
  }
}

function gitInfo() {
  const git = (...args) => {
    const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const commit = git('rev-parse', 'HEAD');
  const dirty = git('status', '--porcelain', '--', 'apps', 'packages');
  return {
    commit,
    changed_files_in_apps_and_packages:
      dirty === null ? null : dirty.split('\n').filter(Boolean).length,
  };
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Only what a server needs from our environment: its config must not leak in from the shell. */
function baseEnv() {
  const env = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'])
    if (process.env[k]) env[k] = process.env[k];
  return env;
}

/** `KEY=VALUE` strings (from --coord-env / --ref-env) into an object. */
export function parseEnvPairs(list = []) {
  return Object.fromEntries(
    list.map((s) => {
      const i = s.indexOf('=');
      if (i <= 0) throw new Error(`expected KEY=VALUE, got "${s}"`);
      return [s.slice(0, i), s.slice(i + 1)];
    }),
  );
}

/** Counters that say a run went wrong: correctness (e2e) and errors, per run and side. */
export function problemsOf(name, compareOut, counters) {
  const problems = [];
  for (const [i, pair] of (compareOut?.runs ?? []).entries()) {
    for (const [side, label] of [
      ['A', 'coordinator'],
      ['B', 'reference'],
    ]) {
      const r = pair[side];
      if (!r) continue;
      const bad = counters
        .filter((k) => (r.correctness?.[k] ?? 0) !== 0)
        .map((k) => `${k}=${r.correctness[k]}`);
      if (r.errors_total) bad.push(`errors=${r.errors_total} ${JSON.stringify(r.errors)}`);
      if (bad.length) problems.push(`${name} round ${i + 1}, ${label}: ${bad.join(', ')}`);
    }
  }
  if (compareOut?.probe) {
    const r = compareOut.probe;
    const bad = counters.filter((k) => (r.correctness?.[k] ?? 0) !== 0);
    if (r.errors_total) bad.push(`errors=${r.errors_total}`);
    if (bad.length) problems.push(`${name} probe, coordinator: ${bad.join(', ')}`);
  }
  return problems;
}

/**
 * Runs the whole thing. Resolves to the report (also written to opts.out); never leaves servers,
 * load generators or databases behind.
 *
 * @param {object} opts
 * @param {'bench'|'smoke'} opts.kind
 * @param {{name: string, compareArgs?: string[], loadgenArgs: string[], checkCounters: string[]}[]} opts.scenarios
 * @param {number} opts.rounds
 * @param {number} opts.pause
 * @param {string} opts.pgUrl
 * @param {string} opts.dbPrefix  databases `<prefix>_ref` and `<prefix>_coord`
 * @param {number|'auto'} opts.coordPort
 * @param {number|'auto'} opts.refPort
 * @param {{coord: boolean, ref: boolean}} opts.portFallback  take a free port when the wanted one is in use
 * @param {boolean} opts.build  build the coordinator even if dist/main.js exists
 * @param {string} opts.out  report path
 * @param {Record<string,string>} [opts.coordEnv]
 * @param {Record<string,string>} [opts.refEnv]
 * @param {boolean} [opts.verbose]
 */
export async function runHarness(opts) {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.dbPrefix))
    throw new Error(`bad database prefix ${opts.dbPrefix}`);
  const startedAt = new Date();
  const t0 = performance.now();
  const dbs = { ref: `${opts.dbPrefix}_ref`, coord: `${opts.dbPrefix}_coord` };
  const logBase = opts.out.replace(/\.json$/, '');
  const logs = { coordinator: `${logBase}-coordinator.log`, reference: `${logBase}-reference.log` };
  mkdirSync(dirname(opts.out), { recursive: true });

  const report = {
    tool: 'aitbc-bench/harness@1',
    kind: opts.kind,
    started_at: startedAt.toISOString(),
    finished_at: null,
    duration_s: null,
    ok: false,
    failure: null,
    problems: [],
    git: gitInfo(),
    host: {
      node: process.version,
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      mem_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      loadavg_1m_at_start: os.loadavg()[0],
    },
    options: {
      scenarios: opts.scenarios.map((s) => s.name),
      rounds: opts.rounds,
      pause_s: opts.pause,
      postgres: redactUrl(opts.pgUrl),
      databases: dbs,
    },
    servers: {},
    memory: [],
    scenarios: {},
  };

  // ---- state that cleanup() undoes
  let admin = null;
  let dbsCreated = false;
  let cwd = null;
  const servers = []; // { name, child, exited }
  let compareChild = null;
  let cleaning = null;

  const stopChild = async (s) => {
    if (s.exited) return;
    s.child.kill('SIGTERM');
    for (let i = 0; i < 100 && !s.exited; i++) await sleep(100);
    if (!s.exited) {
      log(`${s.name} did not stop within 10 s, killing it`);
      s.child.kill('SIGKILL');
      for (let i = 0; i < 30 && !s.exited; i++) await sleep(100);
    }
  };
  const cleanup = () => {
    cleaning ??= (async () => {
      if (compareChild && compareChild.exitCode === null) {
        try {
          process.kill(-compareChild.pid, 'SIGTERM'); // compare and its load generator
        } catch {
          /* already gone */
        }
      }
      await Promise.all(servers.map(stopChild));
      if (admin) {
        if (dbsCreated) {
          for (const db of Object.values(dbs)) {
            try {
              await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
            } catch (e) {
              log(`could not drop database ${db}: ${e.message}`);
            }
          }
        }
        await admin.end().catch(() => {}); // also releases the advisory lock
      }
      if (cwd) rmSync(cwd, { recursive: true, force: true });
    })();
    return cleaning;
  };
  const onSignal = (sig) => {
    log(`${sig}: stopping the servers and dropping the databases`);
    cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);

  try {
    // ---- the coordinator build
    if (opts.build || !existsSync(COORDINATOR_MAIN)) {
      log(`building the coordinator (${opts.build ? '--build' : 'no dist/main.js yet'})`);
      const r = spawnSync(
        'npx',
        ['turbo', 'run', 'build', '--filter=@aitbc/coordinator...', '--output-logs=errors-only'],
        { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
      );
      if (r.status !== 0) throw new Error(`the coordinator build failed (exit ${r.status})`);
    }

    // ---- fresh databases, under a lock so that two harnesses never share them
    admin = new pg.Client({ connectionString: opts.pgUrl, application_name: 'aitbc-bench' });
    admin.on('error', () => {}); // a dropped admin connection must not crash the harness
    try {
      await admin.connect();
    } catch (e) {
      throw new Error(
        `cannot connect to PostgreSQL at ${redactUrl(opts.pgUrl)} (BENCH_PG_URL): ${e.message}`,
      );
    }
    const { rows } = await admin.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      `aitbc-bench:${opts.dbPrefix}`,
    ]);
    if (!rows[0].ok) {
      throw new Error(
        `another bench run is using the databases ${dbs.ref} and ${dbs.coord}; wait for it`,
      );
    }
    const { rows: ver } = await admin.query('SHOW server_version');
    report.host.postgres = ver[0].server_version;
    dbsCreated = true;
    for (const db of Object.values(dbs)) {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${db}`);
    }

    // ---- the two servers
    const coordPort = await choosePort(opts.coordPort, opts.portFallback.coord, 'coordinator');
    const refPort = await choosePort(opts.refPort, opts.portFallback.ref, 'reference');
    if (coordPort === refPort) throw new Error('the coordinator and the reference need two ports');
    const keys = {
      CLIENT_API_KEYS: DEFAULT_CLIENT_KEYS,
      MINER_API_KEYS: defaultMinerKeys().join(','),
    };
    const coordEnv = {
      APP_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(coordPort),
      DATABASE_URL: dbUrl(opts.pgUrl, dbs.coord),
      LONG_POLL_MAX_SECONDS: '30',
      // One bench client submits thousands of jobs a second: far over the default budget of
      // 6000 a minute. A budget it never reaches keeps the limiter on the measured path.
      RATE_LIMIT_REQUESTS: '10000000',
      ...keys,
      ADMIN_API_KEYS: DEFAULT_ADMIN_KEYS,
      RECEIPT_SIGNING_KEY_HEX,
      ...opts.coordEnv,
    };
    const refEnv = {
      HOST: '127.0.0.1',
      PORT: String(refPort),
      DATABASE_URL: dbUrl(opts.pgUrl, dbs.ref),
      LONG_POLL_MAX_SECONDS: '30',
      ...keys,
      ...opts.refEnv,
    };
    // The coordinator reads `.env` from its working directory: an empty one keeps a developer's
    // .env out of the measurement.
    cwd = mkdtempSync(join(os.tmpdir(), 'aitbc-bench-'));
    const start = (name, main, env, port, workDir) => {
      const fd = openSync(logs[name], 'a');
      const child = spawn(process.execPath, [main], {
        cwd: workDir,
        env: { ...baseEnv(), ...env },
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      const s = { name, child, port, exited: false, exitCode: null };
      child.on('exit', (code, signal) => {
        s.exited = true;
        s.exitCode = code ?? signal;
      });
      servers.push(s);
      return s;
    };
    const coord = start('coordinator', COORDINATOR_MAIN, coordEnv, coordPort, cwd);
    const ref = start('reference', REFERENCE_MAIN, refEnv, refPort, ROOT);
    report.servers = {
      coordinator: {
        url: `http://127.0.0.1:${coordPort}`,
        pid: coord.child.pid,
        dist_built_at: statSync(COORDINATOR_MAIN).mtime.toISOString(),
        env: redactEnv(coordEnv),
        log: relative(ROOT, logs.coordinator),
      },
      reference: {
        url: `http://127.0.0.1:${refPort}`,
        pid: ref.child.pid,
        env: redactEnv(refEnv),
        log: relative(ROOT, logs.reference),
      },
    };
    log(
      `coordinator pid ${coord.child.pid} on :${coordPort} (db ${dbs.coord}), reference pid ${ref.child.pid} on :${refPort} (db ${dbs.ref}); waiting for /v1/health`,
    );
    const up = await Promise.allSettled([
      waitHealthy(coord, logs.coordinator),
      waitHealthy(ref, logs.reference),
    ]);
    for (const u of up) if (u.status === 'rejected') throw u.reason;
    const snapshot = (after) => {
      const m = {
        after,
        coordinator: memoryOf(coord.child.pid),
        reference: memoryOf(ref.child.pid),
      };
      report.memory.push(m);
      return m;
    };
    snapshot('start');

    // ---- the scenarios
    for (const sc of opts.scenarios) {
      if (cleaning) throw new Error('interrupted');
      for (const s of servers) {
        if (s.exited)
          throw new Error(`the ${s.name} exited (${s.exitCode}):\n${tail(logs[s.name])}`);
      }
      process.stdout.write(`\n=== ${sc.name}\n`);
      const tmp = join(os.tmpdir(), `aitbc-bench-${process.pid}-${sc.name}.json`);
      const args = [
        COMPARE,
        '--a',
        report.servers.coordinator.url,
        '--b',
        report.servers.reference.url,
        '--rounds',
        String(opts.rounds),
        '--pause',
        String(opts.pause),
        '--out',
        tmp,
        ...(opts.verbose ? ['--verbose'] : []),
        ...(sc.compareArgs ?? []),
        '--',
        ...sc.loadgenArgs,
      ];
      const ts = performance.now();
      const { code, stdout } = await runCompare(args, (c) => {
        compareChild = c;
      });
      compareChild = null;
      if (cleaning) throw new Error('interrupted');
      let out = null;
      try {
        out = JSON.parse(readFileSync(tmp, 'utf8'));
      } catch {
        /* compare failed before writing it */
      }
      rmSync(tmp, { force: true });
      const entry = {
        ok: code === 0 && out !== null,
        exit_code: code,
        seconds: Math.round((performance.now() - ts) / 100) / 10,
        table: stdout,
        memory_after: snapshot(`after ${sc.name}`),
        ...(out ?? {}),
      };
      report.scenarios[sc.name] = entry;
      if (!entry.ok) {
        report.problems.push(`${sc.name}: the run failed (compare exited ${code})`);
        for (const s of servers) {
          if (s.exited)
            log(`the ${s.name} exited (${s.exitCode}); its log ends:\n${tail(logs[s.name])}`);
        }
        continue;
      }
      report.problems.push(...problemsOf(sc.name, out, sc.checkCounters));
    }
    report.ok = report.problems.length === 0;
  } catch (e) {
    report.failure = e.message;
    report.ok = false;
    log(e.message);
  } finally {
    await cleanup();
    for (const sig of signals) process.off(sig, onSignal);
    report.finished_at = new Date().toISOString();
    report.duration_s = Math.round((performance.now() - t0) / 100) / 10;
    writeFileSync(opts.out, `${JSON.stringify(report, null, 1)}\n`);
  }
  return report;
}

/** A server's environment for the report: secrets masked, long key lists summarised. */
function redactEnv(env) {
  const out = { ...env };
  for (const [k, v] of Object.entries(out)) {
    if (/KEY_HEX|PASSWORD|SECRET/.test(k)) out[k] = '***';
    else if (k === 'DATABASE_URL') out[k] = redactUrl(v);
    else if (v.length > 200) {
      const items = v.split(',');
      out[k] = `${items.length} entries: ${items[0]}, ${items[1]}, .., ${items.at(-1)}`;
    }
  }
  return out;
}

/** Waits until GET /v1/health answers 200 from the process we started (not from someone else's). */
async function waitHealthy(s, logFile, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  const url = `http://127.0.0.1:${s.port}/v1/health`;
  for (;;) {
    if (s.exited)
      throw new Error(`the ${s.name} exited (${s.exitCode}) on start:\n${tail(logFile)}`);
    let status = 0;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      status = r.status;
      await r.arrayBuffer();
    } catch {
      /* not up yet */
    }
    if (status === 200) {
      const owner = pidListeningOn(s.port);
      if (owner !== null && owner !== s.child.pid) {
        throw new Error(
          `port ${s.port} answers from pid ${owner}, not from our ${s.name} (${s.child.pid})`,
        );
      }
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the ${s.name} did not answer ${url} within ${timeoutMs / 1000} s:\n${tail(logFile)}`,
      );
    }
    await sleep(200);
  }
}

/** compare.mjs in its own process group (so that cleanup can stop it and its load generator). */
function runCompare(args, onSpawn) {
  return new Promise((resolve) => {
    // BENCH_<FLAG> variables would silently change the load generator's settings: flags only.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')),
    );
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    onSpawn(child);
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += c;
      process.stdout.write(c);
    });
    child.on('error', (e) => resolve({ code: -1, stdout: `${stdout}${e.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? signal, stdout }));
  });
}

/** `bench/results/<prefix><UTC timestamp>.json`, e.g. `bench/results/2026-11-28T09-35-08Z.json`. */
export function defaultReportPath(prefix = '') {
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return join(HERE, 'results', `${prefix}${stamp}.json`);
}

// ------------------------------------------------------------------------------------- printing

const fmt = (x, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? '-'
    : x >= 100
      ? x.toFixed(0)
      : x.toFixed(d);

/** The closing summary: every scenario's median ratios, the targets, memory, problems. */
export function summarize(report, reportPath) {
  const L = ['', `=== summary (${report.kind}, ${report.duration_s} s)`];
  const head = `${'scenario / metric'.padEnd(32)}${'coordinator'.padStart(12)}${'reference'.padStart(12)}${'ratio'.padStart(8)}`;
  L.push(head);
  for (const [name, sc] of Object.entries(report.scenarios)) {
    if (!sc.ok) {
      L.push(`${name.padEnd(32)}  FAILED (compare exited ${sc.exit_code})`);
      continue;
    }
    for (const [metric, s] of Object.entries(sc.summary ?? {})) {
      L.push(
        `${`${name}: ${metric}`.padEnd(32)}${fmt(s.median_a).padStart(12)}${fmt(s.median_b).padStart(12)}${fmt(s.median_ratio).padStart(8)}`,
      );
    }
  }
  L.push(
    '(medians over the pairs; ratio = median of coordinator/reference per pair: > 1 is faster',
  );
  L.push(' for throughput, slower or costlier for latency and cpu)');
  const checks = Object.entries(report.scenarios).flatMap(([name, sc]) =>
    (sc.checks ?? []).map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${name}: ${c.what}: ${c.value}`),
  );
  if (checks.length) L.push('', 'targets (coordinator):', ...checks);
  if (report.memory.length) {
    L.push('', 'memory, MiB (RSS now / peak)      coordinator      reference');
    for (const m of report.memory) {
      const c = m.coordinator;
      const r = m.reference;
      L.push(
        `  ${m.after.padEnd(30)}${`${fmt(c.rss_mib, 1)} / ${fmt(c.peak_rss_mib, 1)}`.padStart(15)}${`${fmt(r.rss_mib, 1)} / ${fmt(r.peak_rss_mib, 1)}`.padStart(15)}`,
      );
    }
  }
  const hb = report.scenarios.heartbeat;
  if (hb?.ok) {
    const miners = hb.runs?.[0]?.A?.config?.miners;
    const m = hb.memory_after.coordinator;
    L.push(
      `  coordinator RSS after the heartbeat scenario (${miners} miners registered): ${fmt(m.rss_mib, 1)} MiB`,
    );
  }
  if (report.failure) L.push('', `FAILED: ${report.failure}`);
  if (report.problems.length) L.push('', 'problems:', ...report.problems.map((p) => `  ${p}`));
  L.push('', `report: ${relative(process.cwd(), reportPath) || reportPath}`);
  process.stdout.write(`${L.join('\n')}\n`);
}
