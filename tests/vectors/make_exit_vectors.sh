#!/usr/bin/env bash
# Regenerates tests/vectors/exit/ (docs/testing.md, "Exit proof vectors"): starts a 4-validator and
# a 1-validator network on 127.0.0.1, runs the worked example and tests/vectors/recycled-to-brand.json
# on each, creates a third network's genesis (not started) for the wrong-genesis cases, then lets
# make_exit_vectors.py fetch bundles and tamper with them. Stops and removes the networks after.
# Usage: tests/vectors/make_exit_vectors.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
mbl="$build/tools/mbl"
python=/usr/bin/python3  # Debian's, with python3-cryptography
work=$(mktemp -d /tmp/mbl-vectors-XXXXXX)
cleanup() {
  for net in quorum single; do "$mbl" net stop --dir "$work/$net" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_block() {
  "$python" - <<'PY'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 29000)
    try:
        for offset in (0, 1, 2, 3, 100, 101, 102, 103):
            s = socket.socket(); s.bind(("127.0.0.1", base + offset)); s.close()
        print(base); break
    except OSError:
        continue
PY
}
start() {  # start NAME VALIDATORS: prints the network's node URLs, comma-separated
  local port
  port=$(free_block)
  "$mbl" net create --dir "$work/$1" --port "$port" --validators "$2" >/dev/null
  "$mbl" net start --dir "$work/$1" >/dev/null
  local urls="http://127.0.0.1:$port"
  for ((i = 1; i < $2; i++)); do urls="$urls,http://127.0.0.1:$((port + i))"; done
  echo "$urls"
}
quorum=$(start quorum 4)
single=$(start single 1)
"$mbl" net create --dir "$work/other" --port 20000 >/dev/null
for net in quorum single; do
  urls=$([ $net = quorum ] && echo "$quorum" || echo "$single")
  "$mbl" scenario run "$root/scenarios/worked-example.json" --node "$urls" --keys "$work/$net" >/dev/null
  "$mbl" scenario run "$here/recycled-to-brand.json" --node "$urls" --keys "$work/$net" >/dev/null
done
"$python" "$here/make_exit_vectors.py" --mbl "$mbl" \
  --quorum-net "$work/quorum" --quorum-node "${quorum%%,*}" \
  --single-net "$work/single" --single-node "$single" \
  --other-genesis "$work/other/genesis.json"
