#!/usr/bin/env bash
# Writes the exit proof vectors of a ledger whose validator set changed (tests/vectors/exit/06-*,
# 45-*, 46-*; docs/testing.md "Exit proof vectors"): starts a 4-validator network on 127.0.0.1,
# removes the certification body's validator by a T1 change, runs the worked example on the other
# three, and writes one bundle as it is and two with the change's certificate damaged. The other
# vectors come from make_exit_vectors.sh, which leaves these alone.
# Usage: tests/vectors/make_epoch_vectors.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
mbl="$build/tools/mbl"
work=$(mktemp -d /tmp/mbl-epoch-vectors-XXXXXX)
trap '"$mbl" net stop --dir "$work/net" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
port=$(/usr/bin/python3 -c 'import random; print(random.randrange(21000, 29000, 10))')
"$mbl" net create --dir "$work/net" --port "$port" --validators 4 >/dev/null
"$mbl" net start --dir "$work/net" >/dev/null
/usr/bin/python3 - "$mbl" "$work/net" "$port" "$here" "$root" <<'PY'
import base64, copy, hashlib, json, os, subprocess, sys, tempfile, time, urllib.request
mbl, net, port, here, root = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
nodes = [f"http://127.0.0.1:{port + i}" for i in range(4)]
genesis = json.load(open(os.path.join(net, "genesis.json")))
chain = hashlib.sha256(b"mbl.record.v1\0" + base64.b64decode(genesis["payload"])).hexdigest()
def http(node, method, target, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(node + target, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as reply:
        return json.load(reply)
node_key = open(os.path.join(net, "cb/node/node.public")).read().split()[1]
with tempfile.TemporaryDirectory() as tmp:
    record = {"author_org": "consortium", "membership_change": {"remove_validator": node_key}}
    json.dump(record, open(os.path.join(tmp, "r.json"), "w"))
    subprocess.run([mbl, "record", "sign", "--in", os.path.join(tmp, "r.json"), "--key",
                    os.path.join(net, "consortium/keys/top.secret"), "--chain", chain, "--out",
                    os.path.join(tmp, "e.json")], check=True, stdout=subprocess.DEVNULL)
    reply = http(nodes[0], "POST", "/v1/records?wait=commit", json.load(open(os.path.join(tmp, "e.json"))))
    assert reply.get("status") == "accepted", reply
for _ in range(200):
    if all(http(n, "GET", "/v1/health")["consensus"]["epoch"] == 1 for n in nodes[:3]):
        break
    time.sleep(0.05)
out = subprocess.run([mbl, "scenario", "run", os.path.join(root, "scenarios/worked-example.json"),
                      "--node", ",".join(nodes[:3]), "--keys", net], capture_output=True, text=True,
                     check=True).stdout
code = out[out.index("MBL-"):out.index("MBL-") + 18]
for _ in range(50):
    reply = http(nodes[1], "GET", "/v1/exit/" + code)
    if reply.get("proof"):
        break
    time.sleep(0.2)
bundle = reply["proof"]
assert len(bundle["validator_sets"]) == 2, bundle["validator_sets"]
out_dir = os.path.join(here, "exit")
json.dump(genesis, open(os.path.join(out_dir, "genesis", "epochs.json"), "w"), indent=1)
def write(name, description, value, expect):
    vector = {"description": description, "expect": expect, "bundle": value,
              "genesis_file": "genesis/epochs.json"}
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(vector, f, indent=1, sort_keys=True)
        f.write("\n")
write("06-valid-after-a-validator-set-change",
      "an exit committed by 3 validators after the certification body's validator was removed: "
      "the history holds the genesis set and the certified change", bundle, "verified")
no_commit = copy.deepcopy(bundle)
no_commit["validator_sets"][1]["established_by"]["commit_chain"] = []
write("45-set-change-without-commit-proof",
      "the validator-set change lost the proof that its block committed", no_commit,
      "uncertified-validator-set-change")
other_set = copy.deepcopy(bundle)
other_set["validator_sets"][1]["validators"] = bundle["validator_sets"][0]["validators"][:3]
if other_set["validator_sets"][1]["validators"] == bundle["validator_sets"][1]["validators"]:
    other_set["validator_sets"][1]["validators"] = bundle["validator_sets"][0]["validators"][1:]
write("46-set-change-names-another-set",
      "the history names a set other than the one the certified change established", other_set,
      "uncertified-validator-set-change")
print("wrote 3 vectors for exit code", code)
PY
