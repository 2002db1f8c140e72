// Vendored from the shared bench kit (../shared/bench/loadgen/lib.mjs), unchanged except:
// imports sorted and 1 string concatenation written as a template literal
// (Biome's organizeImports / lint/style/useTemplate fixes, same behaviour), and reformatted
// to the repo's Biome style. Update from the kit, not here.
//
// Small helpers for the load generator: a keep-alive HTTP client, latency recorders, and /proc probes
// (CPU seconds of the server and of Postgres, so a ratio can be read next to what it cost).

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'undici';

export const now = () => performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A base URL plus keep-alive connection pools (undici: about a third less client CPU than node:http here,
 * and the load generator shares the box with what it measures). Every request resolves, never rejects:
 * status 0 means a network error.
 */
export class Target {
  constructor(base, timeoutMs = 60_000) {
    const u = new URL(base);
    if (u.protocol !== 'http:')
      throw new Error(`only http:// base URLs are supported (got ${base})`);
    this.origin = u.origin;
    this.hostname = u.hostname;
    this.port = Number(u.port || 80);
    this.prefix = u.pathname.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
  }

  /** A dispatcher holding at most `connections` keep-alive connections (one request per connection at a time). */
  agent(connections) {
    const opts = {
      pipelining: 1,
      keepAliveTimeout: 60_000, // used when the server sends no Keep-Alive hint; miners heartbeat every 5-10 s
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    };
    return connections === 1
      ? new Client(this.origin, opts)
      : new Pool(this.origin, { ...opts, connections });
  }

  /**
   * @param {Client|Pool} dispatcher
   * @param {string} method
   * @param {string} path  path below the base, e.g. /v1/jobs
   * @param {string|undefined} key  X-Api-Key
   * @param {string|undefined} body  a JSON string
   * @returns {Promise<{status: number, body: any, error?: string}>}
   */
  async request(dispatcher, method, path, key, body, extraHeaders) {
    const headers = extraHeaders ? { ...extraHeaders } : {};
    if (key) headers['x-api-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await dispatcher.request({ method, path: this.prefix + path, headers, body });
      const text = await res.body.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        /* non-JSON body: leave null */
      }
      return { status: res.statusCode, body: json };
    } catch (e) {
      return { status: 0, body: null, error: e.code || e.name || String(e) };
    }
  }
}

/** Close a dispatcher and every connection it holds; requests in flight fail with status 0. */
export function closeDispatcher(dispatcher) {
  dispatcher.destroy().catch(() => {});
}

/** Latency recorder: keeps every sample (fine for up to a few million), percentiles by nearest rank. */
export class Recorder {
  constructor() {
    this.v = [];
  }
  add(ms) {
    this.v.push(ms);
  }
  get count() {
    return this.v.length;
  }
  summary() {
    const n = this.v.length;
    if (n === 0)
      return { count: 0, mean: null, p50: null, p90: null, p99: null, p999: null, max: null };
    const a = Float64Array.from(this.v).sort();
    const q = (p) => a[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
    let sum = 0;
    for (let i = 0; i < n; i++) sum += a[i];
    const r = (x) => Math.round(x * 1000) / 1000;
    return {
      count: n,
      mean: r(sum / n),
      p50: r(q(0.5)),
      p90: r(q(0.9)),
      p99: r(q(0.99)),
      p999: r(q(0.999)),
      max: r(a[n - 1]),
    };
  }
}

/** Counts by label, e.g. errors by "POST /v1/jobs 503" or "POST /v1/jobs net:ECONNRESET". */
export class Counter {
  constructor() {
    this.m = Object.create(null);
  }
  inc(label, n = 1) {
    this.m[label] = (this.m[label] ?? 0) + n;
  }
  get total() {
    return Object.values(this.m).reduce((a, b) => a + b, 0);
  }
  toJSON() {
    return { ...this.m };
  }
}

/** Run fn over items with at most `limit` in flight; returns results in order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function hostInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu_model: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    mem_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    loadavg_1m: os.loadavg()[0],
  };
}

// ---- /proc probes (Linux; every probe returns null where it cannot read)

const CLK_TCK = 100; // USER_HZ on Linux x86/arm64

function cpuOfPid(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

const pids = () => {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
};

/** Sum of CPU seconds of the given pids (null if none readable). */
export function cpuSeconds(pidList) {
  let sum = null;
  for (const p of pidList) {
    const c = cpuOfPid(p);
    if (c !== null) sum = (sum ?? 0) + c;
  }
  return sum;
}

/**
 * CPU seconds of every process named `postgres` (postmaster, backends, background workers), per pid, so
 * that a delta between two snapshots also counts backends that connected in between.
 * @returns {Map<string, number>}
 */
export function postgresCpu() {
  const m = new Map();
  for (const p of pids()) {
    if (commOf(p) !== 'postgres') continue;
    const c = cpuOfPid(p);
    if (c !== null) m.set(p, c);
  }
  return m;
}

/** CPU seconds spent between two postgresCpu() snapshots (processes that exited in between are missed). */
export function postgresCpuDelta(a, b) {
  if (b.size === 0) return null;
  let s = 0;
  for (const [p, c] of b) s += c - (a.get(p) ?? 0);
  return s;
}

/** The pid that owns the listening TCP socket on `port`, or null. Needs read access to its /proc/<pid>/fd. */
export function pidListeningOn(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let txt;
    try {
      txt = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of txt.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length > 9 && c[3] === '0A' && c[1].endsWith(hex)) inodes.add(c[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of pids()) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) return Number(pid);
    }
  }
  return null;
}

/** Soft limit on open files of a process (default: this one), or null. */
export function openFileLimit(pid = 'self') {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(
      readFileSync(`/proc/${pid}/limits`, 'utf8'),
    );
    return m ? (m[1] === 'unlimited' ? Infinity : Number(m[1])) : null;
  } catch {
    return null;
  }
}
