import { randomBytes } from 'node:crypto';
import type { Http, Reply } from './http.js';
import type { AdminJobView, AssignedJob, JobView, Page, Receipt } from './types.js';

/** API keys of one test file: principal name → key. Random, so a leak cannot match by chance. */
export interface Keys {
  clients: Record<string, string>;
  miners: Record<string, string>;
  admins: Record<string, string>;
}

export function makeKeys(clients: string[], miners: string[], admins = ['admin']): Keys {
  const gen = (prefix: string, names: string[]) =>
    Object.fromEntries(names.map((n) => [n, `${prefix}_${n}_${randomBytes(12).toString('hex')}`]));
  return { clients: gen('ck', clients), miners: gen('mk', miners), admins: gen('ak', admins) };
}

export function keyEnv(keys: Keys): Record<string, string> {
  const list = (m: Record<string, string>) =>
    Object.entries(m)
      .map(([name, key]) => `${name}:${key}`)
      .join(',');
  return {
    CLIENT_API_KEYS: list(keys.clients),
    MINER_API_KEYS: list(keys.miners),
    ADMIN_API_KEYS: list(keys.admins),
  };
}

export const allSecrets = (keys: Keys): string[] => [
  ...Object.values(keys.clients),
  ...Object.values(keys.miners),
  ...Object.values(keys.admins),
];

function expectStatus(what: string, status: number, wanted: number, text: string): void {
  if (status !== wanted) throw new Error(`${what}: expected ${wanted}, got ${status} ${text}`);
}

export async function submitJob(
  http: Http,
  key: string,
  body: Record<string, unknown> = { payload: { n: 1 } },
  headers: Record<string, string> = {},
): Promise<JobView> {
  const r = await http.post<JobView>('/v1/jobs', body, key, { headers });
  expectStatus('submit', r.status, 201, r.text);
  return r.body;
}

export const GPU_MINER = {
  capabilities: { gpus: [{ model: 'NVIDIA RTX 4090', vram_gb: 24 }], cuda: '12.4' },
};

export async function registerMiner(http: Http, key: string, concurrency = 1): Promise<void> {
  const r = await http.post('/v1/miners/register', { ...GPU_MINER, concurrency }, key);
  expectStatus('register', r.status, 200, r.text);
}

export async function poll(http: Http, key: string, maxWait = 0): Promise<AssignedJob | null> {
  const r = await http.post<{ job: AssignedJob | null }>(
    '/v1/miners/poll',
    { max_wait_seconds: maxWait },
    key,
  );
  expectStatus('poll', r.status, 200, r.text);
  return r.body.job;
}

export async function postResult(
  http: Http,
  key: string,
  job: AssignedJob,
  result: unknown = { ok: true, job: job.job_id },
): Promise<Receipt> {
  const r = await http.post<{ status: string; receipt: Receipt }>(
    `/v1/miners/${job.job_id}/result`,
    { lease_id: job.lease_id, result },
    key,
  );
  expectStatus('result', r.status, 200, r.text);
  return r.body.receipt;
}

/** Every page of a list route (`path` may carry a query already). */
export async function listAll<T>(http: Http, path: string, key: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r: Reply<Page<T>> = await http.get<Page<T>>(url, key);
    expectStatus(`list ${url}`, r.status, 200, r.text);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor !== null);
  return items;
}

export const adminJobs = (http: Http, adminKey: string, query = '') =>
  listAll<AdminJobView>(http, `/v1/admin/jobs${query ? `?${query}` : ''}`, adminKey);
