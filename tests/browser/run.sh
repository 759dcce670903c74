#!/usr/bin/env bash
# Starts a 4-validator local network on 127.0.0.1, runs the worked example, then the browser tests
# of the verification page against it (verify_page_test.mjs). Needs Debian's chromium and
# playwright-core (npm ci here; scripts/test.sh does both). Usage: run.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
mbl="$build/tools/mbl"
if [ ! -x /usr/bin/chromium ] || [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "browser tests need /usr/bin/chromium and playwright-core (bash scripts/test.sh installs both)"
  exit 1
fi
# A base port with its HTTP ports (base..base+3) and link ports (base+100..base+103) free; other
# tests run at the same time, so a start that loses a port race is retried on another block.
free_block() {
  python3 - <<'PY'
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
net=""
cleanup() { if [ -n "$net" ]; then "$mbl" net stop --dir "$net" >/dev/null 2>&1 || true; rm -rf "$net"; fi; }
trap cleanup EXIT
for attempt in 1 2 3 4 5; do
  cleanup
  net=$(mktemp -d /tmp/mbl-browser-XXXXXX)
  port=$(free_block)
  "$mbl" net create --dir "$net" --port "$port" >/dev/null
  if "$mbl" net start --dir "$net" >/dev/null; then break; fi
  echo "network start failed on ports $port.. (attempt $attempt); retrying on other ports"
  if [ "$attempt" = 5 ]; then exit 1; fi
done
nodes="http://127.0.0.1:$port,http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2)),http://127.0.0.1:$((port + 3))"
"$mbl" scenario run "$root/scenarios/worked-example.json" --node "$nodes" --keys "$net" > "$net/worked-example.log"
code=$(grep -o 'MBL-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' "$net/worked-example.log" | head -n 1)
# An exit whose author discloses its quantities, so that its bundle carries the signed record.
"$mbl" scenario run "$root/tests/vectors/recycled-to-brand.json" --node "$nodes" --keys "$net" >/dev/null
cat > "$net/disclosed-exit.json" <<'JSON'
{"author_org": "brand", "system_exit": {"site_id": "assembly", "characteristic": "cu-re-mix",
 "product_group": "cu-cathode", "credit_grams": "2000000", "scope": "PRODUCT",
 "product_description": "recycled copper cable", "product_batch": "cables 2026-W50",
 "product_units": "4000", "disclose_quantities": true}}
JSON
disclosed=$("$mbl" record submit --in "$net/disclosed-exit.json" --key "$net/brand/keys/ops.secret" \
  --node "http://127.0.0.1:$port" --wait --json | grep -o 'MBL-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' | head -n 1)
chain=$("$mbl" validators --node "http://127.0.0.1:$port" --json | grep -o '"chain_id":"[0-9a-f]*"' | cut -d'"' -f4)
MBL_NODE_URL="http://127.0.0.1:$((port + 1))" MBL_OTHER_NODE_URL="http://127.0.0.1:$((port + 3))" \
MBL_EXIT_CODE="$code" MBL_DISCLOSED_CODE="$disclosed" MBL_CHAIN_ID="$chain" MBL_CLI="$mbl" \
MBL_SOURCE_DIR="$root" MBL_ARTIFACTS="$build/browser-artifacts" node "$here/verify_page_test.mjs"
