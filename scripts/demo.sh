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
echo "== running the worked example (scenarios/worked-example-setup.json)"
status=0
"$mbl" scenario run "$root/scenarios/worked-example-setup.json" --node "$node" --keys "$net" || status=$?
echo
echo "== the ledger now"
"$mbl" health --node "$node"
cat <<EOT

The network keeps running. Try:
  $mbl validators --node $node
  $mbl query characteristics --key $net/brand/keys/ops.secret --node $node
  $mbl get block 1 --key $net/brand/keys/ops.secret --node $node
Stop it with:
  $mbl net stop --dir $net
EOT
exit $status
