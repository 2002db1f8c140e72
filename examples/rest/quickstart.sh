#!/usr/bin/env bash
# One job end to end over REST, with curl and node only: a client submits it, a miner registers,
# long-polls and returns the result, the client fetches result and receipt, and the receipt is
# verified offline against the coordinator's published keys. Everything after the `cd` below is
# the README quickstart, line for line (examples/docs.test.ts checks that they stay the same).
#
#   npm start     # prints the dev keys; then, in another terminal:
#   CLIENT_KEY=ck_dev_... MINER_KEY=mk_dev_... examples/rest/quickstart.sh
#
# BASE defaults to http://127.0.0.1:8011. The verifier needs a build (npm start or npm run build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

: "${BASE:=http://127.0.0.1:8011}"
: "${CLIENT_KEY:?copy the dev client key (ck_dev_...) from the npm start output}"
: "${MINER_KEY:?copy the dev miner key (mk_dev_...) from the npm start output}"
# json FIELD < answer.json: prints one field of an answer (a.b for nested ones); if the field is
# missing, e.g. in an error answer {"code": "LEASE_LOST", "message": ...}, shows it and fails
json() { node -e 'const s = require("fs").readFileSync(0, "utf8");
  const v = process.argv[1].split(".").reduce((o, k) => o?.[k], JSON.parse(s));
  if (v == null) { console.error(`no ${process.argv[1]} in ${s}`); process.exit(1); }
  console.log(typeof v === "object" ? JSON.stringify(v) : v);' "$1"; }
T="$(mktemp -d)" # the answers are kept here

# 1. Client: submit a job that needs an NVIDIA GPU with at least 16 GB -> 201, QUEUED
curl -sS -X POST "$BASE/v1/jobs" -H "X-Api-Key: $CLIENT_KEY" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: $(node -p 'crypto.randomUUID()')" \
  -d '{"payload": {"prompt": "a fox"}, "constraints": {"gpu": "nvidia", "min_vram_gb": 16}}' \
  > "$T/job.json"
JOB_ID="$(json job_id < "$T/job.json")"
echo "job $JOB_ID is $(json state < "$T/job.json")"

# 2. Miner: register the hardware, then long-poll (a matching job is queued: it answers at once)
curl -sS -X POST "$BASE/v1/miners/register" -H "Authorization: Bearer $MINER_KEY" \
  -H 'Content-Type: application/json' \
  -d '{"capabilities": {"gpus": [{"model": "RTX 4090", "vram_gb": 24}]}, "concurrency": 1}' \
  > "$T/miner.json"
echo "miner $(json miner_id < "$T/miner.json"), leases of $(json lease_seconds < "$T/miner.json") s"
curl -sS -X POST "$BASE/v1/miners/poll" -H "X-Api-Key: $MINER_KEY" \
  -H 'Content-Type: application/json' -d '{"max_wait_seconds": 10}' > "$T/assigned.json"
LEASE_ID="$(json job.lease_id < "$T/assigned.json")"
[ "$(json job.job_id < "$T/assigned.json")" = "$JOB_ID" ] ||
  { echo "the miner was handed an older queued job, not $JOB_ID" >&2; false; }

# 3. Miner: return the result under its lease; the answer carries the signed receipt
curl -sS -X POST "$BASE/v1/miners/$JOB_ID/result" -H "X-Api-Key: $MINER_KEY" \
  -H 'Content-Type: application/json' \
  -d "{\"lease_id\":\"$LEASE_ID\",\"result\":{\"image\":\"fox.png\"},\"metrics\":{\"units\":2.5}}" \
  > "$T/accepted.json"
echo "result accepted, receipt $(json receipt.receipt_id < "$T/accepted.json")"

# 4. Client: the result view (state, result, error, receipt), then the receipt alone
curl -sS "$BASE/v1/jobs/$JOB_ID/result" -H "X-Api-Key: $CLIENT_KEY" > "$T/result.json"
echo "job $(json state < "$T/result.json"): $(json result < "$T/result.json")"
curl -sS "$BASE/v1/jobs/$JOB_ID/receipt" -H "X-Api-Key: $CLIENT_KEY" > "$T/receipt.json"
json signature.key_id < "$T/receipt.json" > /dev/null

# 5. Anyone: fetch the published keys (no API key needed) and verify the receipt offline
curl -sS "$BASE/v1/receipts/keys" > "$T/keys.json"
json keys.0.kid < "$T/keys.json" > /dev/null
node examples/rest/verify-receipt.mjs "$T/receipt.json" "$T/keys.json"
