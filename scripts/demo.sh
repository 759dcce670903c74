#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, creates a local network on
# 127.0.0.1 (keys made per organization, genesis from public keys), starts it and runs the
# worked example's scenario against it, printing what happened.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
build=${MBL_BUILD_DIR:-$root/build}
mbl="$build/tools/mbl"
net=${MBL_NET_DIR:-$root/.mbl-local}
port=${MBL_PORT:-7700}
node="http://127.0.0.1:$port"

if [ -f "$net/node0/mbl-node.pid" ]; then "$mbl" net stop --dir "$net" || true; fi
rm -rf "$net"
echo "== creating a local network in $net"
"$mbl" net create --dir "$net" --port "$port"
echo "== starting it"
"$mbl" net start --dir "$net"
echo "== running the worked example (scenarios/worked-example.json)"
status=0
"$mbl" scenario run "$root/scenarios/worked-example.json" --node "$node" --keys "$net" | tee "$net/worked-example.log" || status=$?
codes=$(grep -o 'MBL-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' "$net/worked-example.log" | sort -u || true)
echo
echo "== exit codes retired for the brand's computer batches"
for code in $codes; do echo "  $code"; done
first=$(echo "$codes" | head -n 1)
if [ -n "$first" ]; then
  echo
  echo "== what a consumer sees when looking up $first (public, no key needed):"
  echo "   $mbl exit $first --node $node"
  "$mbl" exit "$first" --node "$node"
fi
echo
echo "== the ledger now"
"$mbl" health --node "$node"
cat <<EOT

The network keeps running. Look up any exit code with:
  $mbl exit CODE --node $node
Try also:
  $mbl validators --node $node
  $mbl query characteristics --key $net/brand/keys/ops.secret --node $node
  $mbl get block 20 --key $net/cb/keys/eval.secret --node $node
  $mbl get block 1 --key $net/brand/keys/ops.secret --node $node
Stop it with:
  $mbl net stop --dir $net
EOT
exit $status
