// A stand-in miner for trying the quickstart: registers, takes jobs by long-polling and answers
// each with an echo of its payload, over plain REST (no SDK).
//
//   BASE=http://127.0.0.1:8011 MINER_KEY=mk_... npx tsx examples/client-quickstart/demo-miner.ts [--jobs N]
//
// Exits after N jobs (default 1), or with status 1 when no job came within 60 s.
const base = process.env.BASE ?? 'http://127.0.0.1:8011';
const minerKey = process.env.MINER_KEY;
if (!minerKey) throw new Error('set MINER_KEY to a miner API key (npm start prints a dev key)');

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': minerKey as string, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface AssignedJob {
  job_id: string;
  lease_id: string;
  payload: unknown;
}

const jobsFlag = process.argv.indexOf('--jobs');
const wanted = jobsFlag === -1 ? 1 : Number(process.argv[jobsFlag + 1]);
if (!Number.isInteger(wanted) || wanted < 1) throw new Error('--jobs takes a positive integer');
const capabilities = { gpus: [{ model: 'NVIDIA RTX 4090', vram_gb: 24 }], cuda: '12.4' };
await post('/v1/miners/register', { capabilities, concurrency: 1 });
console.log('demo miner registered, waiting for jobs');
const deadline = Date.now() + 60_000;
for (let done = 0; done < wanted; ) {
  if (Date.now() > deadline) throw new Error('demo miner: no job within 60 s');
  const { job } = await post<{ job: AssignedJob | null }>('/v1/miners/poll', {
    max_wait_seconds: 10,
  });
  if (!job) continue;
  await post(`/v1/miners/${job.job_id}/result`, {
    lease_id: job.lease_id,
    result: { echo: job.payload },
  });
  console.log(`demo miner: answered ${job.job_id}`);
  done += 1;
}
