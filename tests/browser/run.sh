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
net=$(mktemp -d /tmp/mbl-browser-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap '"$mbl" net stop --dir "$net" >/dev/null 2>&1 || true; rm -rf "$net"' EXIT
"$mbl" net create --dir "$net" --port "$port" >/dev/null
"$mbl" net start --dir "$net" >/dev/null
nodes="http://127.0.0.1:$port,http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2)),http://127.0.0.1:$((port + 3))"
"$mbl" scenario run "$root/scenarios/worked-example.json" --node "$nodes" --keys "$net" > "$net/worked-example.log"
code=$(grep -o 'MBL-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' "$net/worked-example.log" | head -n 1)
MBL_NODE_URL="http://127.0.0.1:$((port + 1))" MBL_OTHER_NODE_URL="http://127.0.0.1:$((port + 3))" \
MBL_EXIT_CODE="$code" MBL_CLI="$mbl" MBL_SOURCE_DIR="$root" \
MBL_ARTIFACTS="$build/browser-artifacts" node "$here/verify_page_test.mjs"
