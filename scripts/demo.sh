#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, creates a local network of four
# validator nodes on 127.0.0.1 (smelter, wire maker, brand, certification body; keys made per
# organization, genesis from public keys), starts it and runs the worked example's scenario
# against it, its steps sent to the four nodes in turn, printing what happened.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
build=${MBL_BUILD_DIR:-$root/build}
mbl="$build/tools/mbl"
net=${MBL_NET_DIR:-$root/.mbl-local}
port=${MBL_PORT:-7700}
node="http://127.0.0.1:$port"
nodes="http://127.0.0.1:$port,http://127.0.0.1:$((port + 1)),http://127.0.0.1:$((port + 2)),http://127.0.0.1:$((port + 3))"
last="http://127.0.0.1:$((port + 3))"

if [ -f "$net/node0/mbl-node.pid" ]; then "$mbl" net stop --dir "$net" || true; fi
rm -rf "$net"
echo "== creating a local network in $net"
"$mbl" net create --dir "$net" --port "$port"
echo "== starting its four nodes"
"$mbl" net start --dir "$net"
echo "== running the worked example (scenarios/worked-example.json), steps spread over the nodes"
status=0
"$mbl" scenario run "$root/scenarios/worked-example.json" --node "$nodes" --keys "$net" | tee "$net/worked-example.log" || status=$?
codes=$(grep -o 'MBL-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}-[0-9A-Z]\{4\}' "$net/worked-example.log" | sort -u || true)
echo
echo "== exit codes retired for the brand's computer batches"
for code in $codes; do echo "  $code"; done
first=$(echo "$codes" | head -n 1)
if [ -n "$first" ]; then
  echo
  echo "== what a consumer sees when looking up $first at any node (public, no key needed):"
  echo "   $mbl exit $first --node $last"
  "$mbl" exit "$first" --node "$last"
  echo
  echo "== and checks without trusting that node: the proof bundle verified offline"
  echo "   $mbl verify $first --node $last --genesis $net/genesis.json"
  "$mbl" verify "$first" --node "$last" --genesis "$net/genesis.json"
  echo
  chain=$("$mbl" validators --node "$node" --json | grep -o '"chain_id":"[0-9a-f]*"' | cut -d'"' -f4)
  echo "== or in a browser (the link pins this ledger by its chain id, as a QR code would):"
  echo "   $node/verify?code=$first&chain=$chain"
fi
echo
echo "== the network now: each node's height (the same blocks everywhere), round and leader"
"$mbl" net status --dir "$net"
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
