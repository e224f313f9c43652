#!/usr/bin/env bash
# CI: the published contract fuzzed against a live hub. A hub on a fresh SQLite database with
# the demo data, a token of the EMM's demo client (it holds every partner scope), and
# schemathesis with every check and every phase, the stateful one included. Exits non-zero on
# any failure. Needs the test extra installed (`pip install -e '.[test]'`); needs no stdin.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(dirname "$(command -v hub || echo .venv/bin/hub)")
[ -x "$bin/hub" ] || bin=.venv/bin
work=$(mktemp -d)
port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export HUB_DATA_DIR="$work/data" HUB_DATABASE_URL="sqlite:///$work/hub.db" HUB_ISSUER="$base"
# The demo's nightly scheduler and link worker stay as they are: the run sees a normal hub.
"$bin/hub" serve --demo --port "$port" >"$work/hub.log" 2>&1 &
hub_pid=$!
cleanup() {
  kill "$hub_pid" 2>/dev/null || true
  wait "$hub_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== a demo hub on $base"
for _ in $(seq 1 240); do
  curl -sf "$base/health" >/dev/null && break
  kill -0 "$hub_pid" 2>/dev/null || { cat "$work/hub.log"; exit 1; }
  sleep 0.5
done
curl -sf "$base/health" >/dev/null || { echo "the hub did not start"; cat "$work/hub.log"; exit 1; }

echo "== a token for the EMM holding every scope, admin included"
# The EMM's demo client (`hub demo-credentials EMM`) holds every partner scope; admin routes
# need the admin scope too, so a client with all of them is made for the run.
credentials=$("$bin/hub" clients create --agency EMM --name schemathesis --json \
  --scopes "$("$bin/python" -c 'from hub.auth.scopes import SCOPES; print(" ".join(SCOPES))')" \
  | "$bin/python" -c 'import json, sys; c = json.load(sys.stdin); print(c["client_id"] + ":" + c["client_secret"])')
token_for() {
  curl -sf -u "$1" -d grant_type=client_credentials "$base/oauth/token" \
    | "$bin/python" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
ST_TOKEN=$(token_for "$credentials")
# Trend reports are read by agencies a covenant grants aggregates: the LIEC's demo client.
ST_REPORTS_TOKEN=$(token_for "$("$bin/hub" demo-credentials LIEC)")
# The reviewers' actions act on a proposal of the demo data (random ids would only meet 404s).
ST_PROPOSAL_ID=$(curl -sf -H "Authorization: Bearer $ST_TOKEN" \
  "$base/api/v1/proposals?purpose=case-proposal&limit=1" \
  | "$bin/python" -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
export ST_TOKEN ST_REPORTS_TOKEN ST_PROPOSAL_ID

echo "== schemathesis: every check, every phase"
# The batch route's NDJSON body is serialised by .ci/schemathesis_hooks.py (one item a line).
# One worker: hypothesis describes strategies with ast.parse, which Python 3.11 cannot run in
# two threads at once ("AST constructor recursion depth mismatch").
# Enough examples that every operation, the reviewers' actions included, is reached with valid
# data as well as invalid; the stateful phase follows the spec's links (post, then read,
# correct, retract). A fixed seed makes a failure reproducible; CI_SCHEMATHESIS_SEED varies it.
# Exceptions to the checks, each with its reason, and the hooks: .ci/schemathesis.toml.
"$bin/schemathesis" --config-file .ci/schemathesis.toml run "$base/api/v1/openapi.json" \
  --url "$base/api/v1" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "${CI_SCHEMATHESIS_EXAMPLES:-50}" \
  --seed "${CI_SCHEMATHESIS_SEED:-13}" \
  --workers 1 \
  --request-timeout 30 \
  --generation-allow-x00 true \
  --no-color \
  --report junit --report-dir "${CI_SCHEMATHESIS_REPORT:-$work/report}"
