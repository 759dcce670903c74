#!/usr/bin/env bash
# The exit lookup benchmark of docs/benchmarks.md: a 4-validator network on 127.0.0.1 with every
# node's per-address rate limit raised to 1 000 000 requests/s (all the load generator's clients
# share 127.0.0.1, and the default limit is 2 000/s per address), the worked example and
# tests/vectors/recycled-to-brand.json, then bench_exit_lookup retiring EXITS exits in one batch
# and looking all of them up with CLIENTS keep-alive clients for SECONDS at node1.
# Usage: bench/exit_lookup.sh [BUILD_DIR] [EXITS] [CLIENTS] [SECONDS] [BASE_PORT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
exits=${2:-1000}
clients=${3:-64}
seconds=${4:-10}
port=${5:-27700}
mbl="$build/tools/mbl"
net=$(mktemp -d /tmp/mbl-bench-exit-XXXXXX)
cleanup() { "$mbl" net stop --dir "$net" >/dev/null 2>&1 || true; rm -rf "$net"; }
trap cleanup EXIT
"$mbl" net create --dir "$net" --port "$port" >/dev/null
for i in 0 1 2 3; do
  python3 - "$net/node$i/config.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["http_requests_per_second"] = 1000000
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
done
"$mbl" net start --dir "$net" >/dev/null
nodes="http://127.0.0.1:$port,http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2)),http://127.0.0.1:$((port + 3))"
"$mbl" scenario run "$root/scenarios/worked-example.json" --node "$nodes" --keys "$net" >/dev/null
"$mbl" scenario run "$root/tests/vectors/recycled-to-brand.json" --node "$nodes" --keys "$net" >/dev/null
"$build/bench/bench_exit_lookup" --node "http://127.0.0.1:$((port + 1))" --exits "$exits" \
  --keys "$net" --clients "$clients" --seconds "$seconds"
