#!/usr/bin/env node

// Vendored from the shared bench kit (../shared/bench/loadgen/run.mjs), unchanged except:
// imports sorted and 3 string concatenations written as template literals
// (Biome's organizeImports / lint/style/useTemplate fixes, same behaviour), and reformatted
// to the repo's Biome style. Update from the kit, not here.
//
// Load generator for the AITBC coordinator wire contract (CONTRACT.md sections 3-4). It talks to any
// base URL (the reference or the real coordinator) and prints one JSON object on stdout, plus a short
// table on stderr. Clients and miners live in this one process, so dispatch latency (submit answered
// -> miner holds the job) is measured on one monotonic clock.
//
//   node loadgen/run.mjs --base http://127.0.0.1:8100 --scenario e2e --miners 50 --concurrency 2 --duration 20
//   node loadgen/run.mjs --base http://127.0.0.1:8100 --scenario heartbeat --miners 10000 --interval 5
//
// Every flag can also come from the environment as BENCH_<FLAG> (e.g. BENCH_BASE, BENCH_MINER_KEYS).
// Exit status: 0 ok, 2 a correctness counter is non-zero (double claim/completion), 1 the run failed.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CLIENT_KEY, expandKeyList } from '../lib/keys.mjs';
import {
  Counter,
  closeDispatcher,
  cpuSeconds,
  hostInfo,
  mapLimit,
  now,
  openFileLimit,
  pidListeningOn,
  postgresCpu,
  postgresCpuDelta,
  Recorder,
  sleep,
  Target,
} from './lib.mjs';

const OPTIONS = {
  scenario: { type: 'string', default: 'e2e', help: 'e2e | heartbeat' },
  base: {
    type: 'string',
    default: 'http://127.0.0.1:8100',
    help: 'base URL of the coordinator (the part before /v1)',
  },
  'client-key': {
    type: 'string',
    default: DEFAULT_CLIENT_KEY,
    help: 'client key(s), same list syntax as --miner-keys; submitters take them in turn',
  },
  'miner-keys': {
    type: 'string',
    help: 'k1,k2,... | mk_{0..9999} | @file  (default: mk_{0..miners-1})',
  },
  miners: {
    type: 'string',
    help: 'simulated miners, one key each (default: e2e 50, heartbeat 10000)',
  },
  concurrency: {
    type: 'string',
    default: '2',
    help: 'e2e: concurrency each miner registers with = its poll loops',
  },
  duration: { type: 'string', default: '20', help: 'measured seconds, after the warm-up' },
  jobs: { type: 'string', help: 'e2e: measure exactly this many jobs instead of --duration' },
  warmup: {
    type: 'string',
    help: 'seconds before measuring (default: e2e 5, heartbeat one interval)',
  },
  submitters: {
    type: 'string',
    help: 'e2e closed loop: submitters, each keeping one job in flight (default 2 x miners x concurrency)',
  },
  rate: {
    type: 'string',
    help: 'e2e open loop: submits per second at a constant rate (replaces --submitters)',
  },
  'payload-bytes': { type: 'string', default: '1024', help: 'size of the job payload string' },
  'result-bytes': { type: 'string', help: 'size of the result string (default: --payload-bytes)' },
  'max-wait': { type: 'string', default: '10', help: 'poll max_wait_seconds' },
  interval: {
    type: 'string',
    help: 'heartbeat period in s (heartbeat: default 5; e2e: what register answered)',
  },
  connections: {
    type: 'string',
    help: 'heartbeat: TCP connections (default one per miner, capped by open-file limits); e2e --rate: submit sockets (default 64)',
  },
  'register-concurrency': {
    type: 'string',
    default: '100',
    help: 'registrations in flight at once',
  },
  'drain-timeout': {
    type: 'string',
    default: '15',
    help: 'e2e: seconds to wait for submitted jobs to finish after the window',
  },
  'server-pid': {
    type: 'string',
    help: 'server pid(s) for CPU accounting (default: the process listening on the base port)',
  },
  idempotency: {
    type: 'boolean',
    default: false,
    help: 'send a fresh Idempotency-Key with every submit',
  },
  label: { type: 'string', help: 'free text copied into the output' },
  quiet: { type: 'boolean', default: false, help: 'no table on stderr' },
  help: { type: 'boolean', default: false },
};

function parseConfig(argv) {
  const { values } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    const lines = Object.entries(OPTIONS).map(
      ([k, o]) =>
        `  --${k.padEnd(22)} ${o.help ?? ''}${o.default !== undefined ? ` [${o.default}]` : ''}`,
    );
    process.stderr.write(`usage: node loadgen/run.mjs [options]\n${lines.join('\n')}\n`);
    process.exit(0);
  }
  const argGiven = (k) => argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`));
  const v = {};
  for (const k of Object.keys(OPTIONS)) {
    const envVal = process.env[`BENCH_${k.toUpperCase().replace(/-/g, '_')}`];
    v[k] =
      !argGiven(k) && envVal !== undefined
        ? OPTIONS[k].type === 'boolean'
          ? envVal === '1' || envVal === 'true'
          : envVal
        : values[k];
  }
  const num = (k, d) => (v[k] === undefined || v[k] === '' ? d : Number(v[k]));
  const scenario = v.scenario;
  if (!['e2e', 'heartbeat'].includes(scenario)) throw new Error(`unknown --scenario ${scenario}`);
  const miners = num('miners', scenario === 'e2e' ? 50 : 10000);
  const concurrency = num('concurrency', 2);
  const read = (p) => readFileSync(p, 'utf8');
  const minerKeys = v['miner-keys']
    ? expandKeyList(v['miner-keys'], read)
    : Array.from({ length: miners }, (_, i) => `mk_${i}`);
  if (minerKeys.length < miners)
    throw new Error(
      `--miners ${miners} needs ${miners} distinct miner keys, got ${minerKeys.length} (the contract identifies a miner by its key)`,
    );
  const interval = num('interval', scenario === 'heartbeat' ? 5 : undefined);
  const cfg = {
    scenario,
    base: v.base.replace(/\/+$/, ''),
    clientKeys: expandKeyList(v['client-key'], read),
    minerKeys: minerKeys.slice(0, miners),
    miners,
    concurrency,
    duration: num('duration', 20),
    jobs: num('jobs', undefined),
    warmup: num('warmup', scenario === 'e2e' ? 5 : interval),
    rate: num('rate', undefined),
    submitters: num('submitters', 2 * miners * concurrency),
    payloadBytes: num('payload-bytes', 1024),
    resultBytes: num('result-bytes', num('payload-bytes', 1024)),
    maxWait: num('max-wait', 10),
    interval,
    connections: num('connections', undefined),
    registerConcurrency: num('register-concurrency', 100),
    drainTimeout: num('drain-timeout', 15),
    serverPid: v['server-pid'],
    idempotency: v.idempotency,
    label: v.label,
    quiet: v.quiet,
  };
  for (const [k, x] of Object.entries(cfg))
    if (typeof x === 'number' && !Number.isFinite(x)) throw new Error(`--${k} is not a number`);
  return cfg;
}

const statusLabel = (r) => (r.status === 0 ? `net:${r.error}` : String(r.status));
const fill = (n) => 'x'.repeat(Math.max(0, n));

async function checkHealth(t) {
  const agent = t.agent(1);
  const r = await t.request(agent, 'GET', '/v1/health');
  closeDispatcher(agent);
  if (r.status === 0)
    throw new Error(`nothing answers at ${t.prefix || ''} ${t.hostname}:${t.port} (${r.error})`);
  if (r.status !== 200) process.stderr.write(`warning: GET /v1/health answered ${r.status}\n`);
}

/** Registers every miner (its own agent, so its own connections). Returns seconds taken. */
async function registerAll(t, miners, concurrency, cfg) {
  const body = JSON.stringify({
    capabilities: {
      gpus: [{ model: 'NVIDIA RTX 4090', vram_gb: 24 }],
      cuda: '12.4',
      models: ['echo'],
      price: 0,
    },
    concurrency,
    region: 'bench',
  });
  const t0 = now();
  await mapLimit(miners, cfg.registerConcurrency, async (m, i) => {
    for (let attempt = 0; ; attempt++) {
      const r = await t.request(m.agent, 'POST', '/v1/miners/register', m.key, body);
      if (r.status === 200) {
        m.id = r.body?.miner_id;
        m.hbInterval = r.body?.heartbeat_interval_seconds;
        return;
      }
      if ((r.status === 0 || r.status === 429 || r.status === 503) && attempt < 5) {
        await sleep(200 * (attempt + 1));
        continue;
      }
      const hint =
        r.status === 401 ? ' (is the server configured with the bench keys? see keys.mjs)' : '';
      throw new Error(
        `register of miner #${i} failed: ${statusLabel(r)} ${JSON.stringify(r.body)}${hint}`,
      );
    }
  });
  const ids = new Set(miners.map((m) => m.id));
  if (ids.size !== miners.length)
    process.stderr.write(
      `warning: ${miners.length} miners registered but only ${ids.size} distinct miner_ids came back\n`,
    );
  return (now() - t0) / 1000;
}

/** Heartbeats at a constant aggregate rate: miner k of M fires at phase k/M of the interval (open loop). */
function scheduleHeartbeats(t, list, intervalMs, onDone, onSend = () => {}) {
  const gap = intervalMs / list.length;
  const body = '{"inflight":0}';
  let next = now();
  let n = 0;
  let timer = null;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const tn = now();
    while (next <= tn) {
      const m = list[n++ % list.length];
      const sched = next;
      next += gap;
      const t0 = now();
      onSend(t0);
      t.request(m.agent, 'POST', '/v1/miners/heartbeat', m.key, body).then((r) =>
        onDone(r, sched, t0, now()),
      );
    }
    timer = setTimeout(tick, Math.max(0, next - now()));
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function cpuProbe(serverPids) {
  return () => ({
    t: now(),
    loadgen: process.cpuUsage(),
    server: serverPids.length ? cpuSeconds(serverPids) : null,
    postgres: postgresCpu(),
  });
}

function cpuReport(a, b) {
  const win = (b.t - a.t) / 1000;
  const lg = (b.loadgen.user + b.loadgen.system - a.loadgen.user - a.loadgen.system) / 1e6;
  const d = (x, y) => (x === null || y === null ? null : Math.round((y - x) * 100) / 100);
  const cores = (s) => (s === null ? null : Math.round((s / win) * 100) / 100);
  const server = d(a.server, b.server);
  const pg = postgresCpuDelta(a.postgres, b.postgres);
  const postgres = pg === null ? null : Math.round(pg * 100) / 100;
  return {
    loadgen_s: Math.round(lg * 100) / 100,
    server_s: server,
    postgres_s: postgres,
    loadgen_cores: cores(lg),
    server_cores: cores(server),
    postgres_cores: cores(postgres),
  };
}

// ------------------------------------------------------------------------------------------- e2e

async function e2e(cfg, t, probe) {
  const M = cfg.miners;
  const C = cfg.concurrency;
  const openLoop = cfg.rate !== undefined;
  const clientSockets = openLoop ? (cfg.connections ?? 64) : cfg.submitters;
  const sockets = M * (C + 1) + clientSockets;
  const fdLimit = openFileLimit() ?? Infinity;
  if (sockets > fdLimit - 128)
    process.stderr.write(
      `warning: up to ${sockets} sockets but the open-file limit is ${fdLimit}; raise \`ulimit -n\`\n`,
    );
  const clientAgent = t.agent(clientSockets);
  const miners = cfg.minerKeys.map((key) => ({ key, agent: t.agent(C + 1) }));
  const registerS = await registerAll(t, miners, C, cfg);
  const hbInterval = cfg.interval ?? miners[0].hbInterval ?? 10;

  const jobBody = JSON.stringify({ payload: { echo: fill(cfg.payloadBytes) } });
  const resultFill = fill(cfg.resultBytes);
  const pollBody = JSON.stringify({ max_wait_seconds: cfg.maxWait });

  const lat = {
    submit: new Recorder(),
    submit_from_schedule: new Recorder(),
    dispatch: new Recorder(),
    result: new Recorder(),
    heartbeat: new Recorder(),
  };
  const errors = new Counter();
  const c = {
    submitted: 0,
    claimed: 0,
    completed: 0,
    double_claims: 0,
    double_completions: 0,
    claimed_after_completion: 0,
    results_rejected: 0,
    not_completed_after_drain: 0,
    dispatched_before_submit_ack: 0,
    empty_polls: 0,
    polls_in_window: 0,
    claimed_not_submitted_here: 0, // e.g. jobs left queued by an earlier, interrupted run
  };
  let measuring = false;
  let wStart = Infinity;
  let wEnd = Infinity;
  const inWin = (x) => x >= wStart && x <= wEnd;
  let measuredSubmitted = 0;
  let measuredCompleted = 0;
  let completedInWindow = 0;
  let submittedInWindow = 0;
  let lastMeasuredDone = 0;
  let stopSubmit = false;
  let stopping = false;

  const jobs = new Map(); // job_id -> { tAck, tRecv, lease, live, done, doneLease, measured }
  const pending = new Set(); // acknowledged, not yet completed
  const waiters = new Map(); // job_id -> resolve (closed-loop submitters)
  const jobOf = (id) => {
    let j = jobs.get(id);
    if (!j) {
      j = {
        tAck: undefined,
        tRecv: undefined,
        lease: undefined,
        live: false,
        done: false,
        doneLease: undefined,
        measured: false,
      };
      jobs.set(id, j);
    }
    return j;
  };

  function onAck(id, tAck, measured) {
    const j = jobOf(id);
    j.tAck = tAck;
    j.measured = measured;
    c.submitted++;
    if (inWin(tAck)) submittedInWindow++;
    if (j.tRecv !== undefined) {
      // the miner had it before the submit answer arrived
      c.dispatched_before_submit_ack++;
      if (inWin(j.tRecv)) lat.dispatch.add(0);
    }
    if (!j.done) pending.add(id);
  }

  function onClaim(job, tRecv) {
    c.claimed++;
    const j = jobOf(job.job_id);
    if (j.done) c.claimed_after_completion++;
    else if (j.live && j.lease !== job.lease_id) c.double_claims++;
    j.lease = job.lease_id;
    j.live = true;
    j.tRecv = tRecv;
    if (j.tAck !== undefined && inWin(tRecv)) lat.dispatch.add(tRecv - j.tAck);
  }

  function onResult(job, r, t0, t1) {
    const j = jobOf(job.job_id);
    if (r.status === 200) {
      if (inWin(t1)) lat.result.add(t1 - t0);
      if (j.done) {
        if (j.doneLease !== job.lease_id) c.double_completions++;
      } else {
        j.done = true;
        j.doneLease = job.lease_id;
        c.completed++;
        if (inWin(t1)) completedInWindow++;
        if (j.measured) {
          measuredCompleted++;
          lastMeasuredDone = t1;
        }
        pending.delete(job.job_id);
        const w = waiters.get(job.job_id);
        if (w) {
          waiters.delete(job.job_id);
          w();
        }
      }
    } else {
      c.results_rejected++;
      errors.inc(`POST /v1/miners/{id}/result ${statusLabel(r)}`);
    }
    if (j.lease === job.lease_id) j.live = false;
  }

  async function pollLoop(m) {
    while (!stopping) {
      const r = await t.request(m.agent, 'POST', '/v1/miners/poll', m.key, pollBody);
      if (stopping) return;
      if (measuring) c.polls_in_window++;
      if (r.status !== 200) {
        errors.inc(`POST /v1/miners/poll ${statusLabel(r)}`);
        await sleep(50);
        continue;
      }
      const job = r.body?.job;
      if (!job) {
        c.empty_polls++;
        continue;
      }
      if (typeof job.job_id !== 'string' || typeof job.lease_id !== 'string') {
        errors.inc('POST /v1/miners/poll malformed job');
        await sleep(50);
        continue;
      }
      onClaim(job, now());
      const body = `{"lease_id":${JSON.stringify(job.lease_id)},"result":{"echo":"${resultFill}"},"metrics":{}}`;
      const t0 = now();
      const rr = await t.request(
        m.agent,
        'POST',
        `/v1/miners/${encodeURIComponent(job.job_id)}/result`,
        m.key,
        body,
      );
      if (stopping && rr.status === 0) return;
      onResult(job, rr, t0, now());
    }
  }

  let clientTurn = 0;
  const submitHeaders = () => (cfg.idempotency ? { 'idempotency-key': randomUUID() } : undefined);
  const nextClientKey = () => cfg.clientKeys[clientTurn++ % cfg.clientKeys.length];
  const quotaReached = () => cfg.jobs !== undefined && measuring && measuredSubmitted >= cfg.jobs;

  async function submitOnce(tSched) {
    const measured = measuring;
    if (measured) measuredSubmitted++;
    const t0 = now();
    const r = await t.request(
      clientAgent,
      'POST',
      '/v1/jobs',
      nextClientKey(),
      jobBody,
      submitHeaders(),
    );
    const t1 = now();
    if (r.status === 201 && typeof r.body?.job_id === 'string') {
      if (inWin(t1)) {
        lat.submit.add(t1 - t0);
        if (tSched !== undefined) lat.submit_from_schedule.add(t1 - tSched);
      }
      onAck(r.body.job_id, t1, measured);
      return r.body.job_id;
    }
    if (measured) measuredSubmitted--;
    if (!stopping) errors.inc(`POST /v1/jobs ${statusLabel(r)}`);
    return null;
  }

  async function closedLoopSubmitter() {
    while (!stopSubmit && !quotaReached()) {
      const id = await submitOnce(undefined);
      if (id === null) {
        await sleep(20);
        continue;
      }
      if (!jobs.get(id).done) await new Promise((resolve) => waiters.set(id, resolve));
    }
  }

  let openTimer = null;
  function startOpenLoop() {
    const gap = 1000 / cfg.rate;
    let next = now();
    const tick = () => {
      const tn = now();
      while (next <= tn && !stopSubmit) {
        if (quotaReached()) {
          stopSubmit = true;
          return;
        }
        submitOnce(next);
        next += gap;
      }
      if (!stopSubmit) openTimer = setTimeout(tick, Math.max(0, next - now()));
    };
    tick();
  }

  // -- run: miners first, then submitters; warm up; measure; drain; stop.
  const loops = miners.flatMap((m) => Array.from({ length: C }, () => pollLoop(m)));
  const stopHb = scheduleHeartbeats(t, miners, hbInterval * 1000, (r, _sched, t0, t1) => {
    if (stopping) return;
    if (r.status === 200) {
      if (inWin(t1)) lat.heartbeat.add(t1 - t0);
    } else errors.inc(`POST /v1/miners/heartbeat ${statusLabel(r)}`);
  });
  const submitters = openLoop
    ? []
    : Array.from({ length: cfg.submitters }, () => closedLoopSubmitter());
  if (openLoop) startOpenLoop();

  await sleep(cfg.warmup * 1000);
  const cpu0 = probe();
  measuring = true;
  wStart = now();
  if (cfg.jobs === undefined) {
    wEnd = wStart + cfg.duration * 1000;
    await sleep(cfg.duration * 1000);
  } else {
    let lastProgress = now();
    let lastCount = -1;
    while (measuredCompleted < cfg.jobs) {
      await sleep(10);
      if (measuredCompleted !== lastCount) {
        lastCount = measuredCompleted;
        lastProgress = now();
      }
      if (now() - lastProgress > cfg.drainTimeout * 1000) {
        process.stderr.write('warning: no progress, ending the --jobs window early\n');
        break;
      }
    }
    wEnd = measuredCompleted >= cfg.jobs ? lastMeasuredDone : now();
  }
  const cpu1 = probe();
  measuring = false;
  stopSubmit = true;
  clearTimeout(openTimer);

  const drainStart = now();
  while (pending.size > 0 && now() - drainStart < cfg.drainTimeout * 1000) await sleep(20);
  c.not_completed_after_drain = pending.size;
  stopping = true;
  stopHb();
  for (const w of waiters.values()) w();
  for (const m of miners) closeDispatcher(m.agent);
  closeDispatcher(clientAgent);
  await Promise.race([Promise.allSettled([...loops, ...submitters]), sleep(5000)]);

  for (const j of jobs.values()) if (j.tAck === undefined) c.claimed_not_submitted_here++;
  const windowS = (wEnd - wStart) / 1000;
  const per = (n) => Math.round((n / windowS) * 10) / 10;
  const jobsPerS = cfg.jobs === undefined ? per(completedInWindow) : per(measuredCompleted);
  return {
    window_s: Math.round(windowS * 1000) / 1000,
    register_s: Math.round(registerS * 1000) / 1000,
    heartbeat_interval_s: hbInterval,
    throughput: {
      jobs_per_s: jobsPerS,
      submits_per_s: per(submittedInWindow),
      completed_in_window: cfg.jobs === undefined ? completedInWindow : measuredCompleted,
      polls_per_s: per(c.polls_in_window),
      offered_rate: cfg.rate ?? null,
    },
    latency_ms: Object.fromEntries(
      Object.entries(lat)
        .filter(([k, r]) => r.count > 0 || k !== 'submit_from_schedule')
        .map(([k, r]) => [k, r.summary()]),
    ),
    errors: errors.toJSON(),
    errors_total: errors.total,
    correctness: c,
    cpu: cpuReport(cpu0, cpu1),
    ok: c.double_claims === 0 && c.double_completions === 0 && c.claimed_after_completion === 0,
  };
}

// ------------------------------------------------------------------------------------- heartbeat

async function heartbeat(cfg, t, probe, serverPids) {
  const M = cfg.miners;
  const ownLimit = openFileLimit() ?? Infinity;
  const serverLimit = serverPids.length ? (openFileLimit(serverPids[0]) ?? Infinity) : Infinity;
  const cap = Math.max(1, Math.min(ownLimit, serverLimit) - 256);
  let conns = cfg.connections ?? M;
  if (conns > cap) {
    process.stderr.write(
      `warning: ${conns} connections exceed the open-file limit (loadgen ${ownLimit}, server ${serverLimit}); using ${cap}. Raise \`ulimit -n\` for one connection per miner.\n`,
    );
    conns = cap;
  }
  conns = Math.min(conns, M);
  const agents = Array.from({ length: conns }, () => t.agent(1));
  const miners = cfg.minerKeys.map((key, i) => ({ key, agent: agents[i % conns] }));
  const registerS = await registerAll(t, miners, 1, cfg);

  const lat = new Recorder();
  const fromSchedule = new Recorder();
  const lag = new Recorder();
  const errors = new Counter();
  let wStart = Infinity;
  let wEnd = Infinity;
  let okInWindow = 0;
  let sentInWindow = 0;
  let inflight = 0;
  let maxInflight = 0;
  let stopping = false;
  const stop = scheduleHeartbeats(
    t,
    miners,
    cfg.interval * 1000,
    (r, sched, t0, t1) => {
      inflight--;
      if (stopping) return;
      if (t1 < wStart || t1 > wEnd) return;
      if (r.status === 200) {
        okInWindow++;
        lat.add(t1 - t0);
        fromSchedule.add(t1 - sched);
        lag.add(t0 - sched);
      } else errors.inc(`POST /v1/miners/heartbeat ${statusLabel(r)}`);
    },
    (t0) => {
      inflight++;
      if (inflight > maxInflight) maxInflight = inflight;
      if (t0 >= wStart && t0 <= wEnd) sentInWindow++;
    },
  );

  await sleep(cfg.warmup * 1000);
  const cpu0 = probe();
  wStart = now();
  wEnd = wStart + cfg.duration * 1000;
  maxInflight = inflight;
  await sleep(cfg.duration * 1000);
  const cpu1 = probe();
  await sleep(200);
  stopping = true;
  stop();
  for (const a of agents) closeDispatcher(a);

  const windowS = (wEnd - wStart) / 1000;
  const offered = M / cfg.interval;
  return {
    window_s: Math.round(windowS * 1000) / 1000,
    register_s: Math.round(registerS * 1000) / 1000,
    connections: conns,
    throughput: {
      offered_hb_per_s: Math.round(offered * 10) / 10,
      sent_hb_per_s: Math.round((sentInWindow / windowS) * 10) / 10,
      hb_per_s: Math.round((okInWindow / windowS) * 10) / 10,
      achieved_fraction: Math.round((okInWindow / windowS / offered) * 1000) / 1000,
      max_inflight: maxInflight,
    },
    latency_ms: {
      heartbeat: lat.summary(),
      heartbeat_from_schedule: fromSchedule.summary(),
      loadgen_send_lag: lag.summary(),
    },
    errors: errors.toJSON(),
    errors_total: errors.total,
    cpu: cpuReport(cpu0, cpu1),
    ok: true,
  };
}

// ------------------------------------------------------------------------------------------ main

function table(out) {
  const L = [];
  const f = (x) =>
    x === null || x === undefined
      ? '-'
      : typeof x === 'number'
        ? String(Math.round(x * 100) / 100)
        : String(x);
  L.push(
    `${out.scenario} against ${out.base}${out.label ? ` (${out.label})` : ''}: ${out.window_s}s measured, node ${out.host.node}, ${out.host.cpus} x ${out.host.cpu_model}`,
  );
  const tp = out.throughput;
  if (out.scenario === 'e2e')
    L.push(
      `  jobs/s ${f(tp.jobs_per_s)}   submits/s ${f(tp.submits_per_s)}   polls/s ${f(tp.polls_per_s)}${tp.offered_rate ? `   offered ${tp.offered_rate}/s` : ''}`,
    );
  else
    L.push(
      `  heartbeats/s ${f(tp.hb_per_s)} of ${f(tp.offered_hb_per_s)} offered (${f(tp.achieved_fraction * 100)}%), ${out.connections} connections`,
    );
  L.push(
    `  ${'latency ms'.padEnd(24)}${['p50', 'p90', 'p99', 'p99.9', 'max', 'count'].map((h) => h.padStart(9)).join('')}`,
  );
  for (const [k, s] of Object.entries(out.latency_ms)) {
    L.push(
      `  ${k.padEnd(24)}${[s.p50, s.p90, s.p99, s.p999, s.max, s.count].map((x) => f(x).padStart(9)).join('')}`,
    );
  }
  if (out.correctness) {
    const c = out.correctness;
    L.push(
      `  completed ${c.completed}  double claims ${c.double_claims}  double completions ${c.double_completions}  claimed after completion ${c.claimed_after_completion}  results rejected ${c.results_rejected}  not completed ${c.not_completed_after_drain}`,
    );
  }
  L.push(`  errors ${out.errors_total}${out.errors_total ? ` ${JSON.stringify(out.errors)}` : ''}`);
  const cp = out.cpu;
  L.push(
    `  cpu cores used: loadgen ${f(cp.loadgen_cores)}  server ${f(cp.server_cores)}${out.server_pid ? ` (pid ${out.server_pid})` : ' (pid unknown)'}  postgres ${f(cp.postgres_cores)}`,
  );
  return `${L.join('\n')}\n`;
}

async function main() {
  const cfg = parseConfig(process.argv.slice(2));
  const t = new Target(cfg.base, Math.max(60_000, (cfg.maxWait + 30) * 1000));
  await checkHealth(t);
  const serverPids = cfg.serverPid
    ? cfg.serverPid.split(',').map(Number)
    : ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(t.hostname)
      ? [pidListeningOn(t.port)].filter(Boolean)
      : [];
  const probe = cpuProbe(serverPids);
  const startedAt = new Date().toISOString();
  const result =
    cfg.scenario === 'e2e' ? await e2e(cfg, t, probe) : await heartbeat(cfg, t, probe, serverPids);
  const { minerKeys, clientKeys, quiet, ...config } = cfg;
  const out = {
    tool: 'aitbc-bench/loadgen@1',
    scenario: cfg.scenario,
    label: cfg.label ?? null,
    base: cfg.base,
    started_at: startedAt,
    config: {
      ...config,
      miner_keys: `${minerKeys.length} keys (${minerKeys[0]} ..)`,
      client_keys: clientKeys.length,
    },
    host: hostInfo(),
    server_pid: serverPids.join(',') || null,
    ...result,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  if (!cfg.quiet) process.stderr.write(table(out));
  return out.ok ? 0 : 2;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`loadgen: ${err.message}\n`);
    process.exit(1);
  },
);
