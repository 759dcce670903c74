#!/usr/bin/env python3
"""Writes tests/vectors/exit/*.json from a running local network (docs/testing.md, "Exit proof
vectors"): two valid bundles and one per tampering class, each with the reason `mbl verify` and the
verification page must give. Usage:
  python3 tests/vectors/make_exit_vectors.py NET_DIR NODE_URL OTHER_GENESIS.json CODE1 CODE2
"""
import copy, json, os, sys, urllib.request

net_dir, node, other_genesis_file, code1, code2 = sys.argv[1:6]
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exit")
os.makedirs(out_dir, exist_ok=True)

def fetch(code):
    with urllib.request.urlopen(f"{node}/v1/exit/{code}") as reply:
        return json.load(reply)["proof"]

def load(path):
    with open(path) as f:
        return json.load(f)

genesis = load(os.path.join(net_dir, "genesis.json"))
other_genesis = load(other_genesis_file)
b1, b2 = fetch(code1), fetch(code2)

# Byte surgery on quorum certificates: vote data (152) || u32 n || n * (u32 signer || 64 sig).
def qc_parts(qc_hex):
    raw = bytes.fromhex(qc_hex)
    n = int.from_bytes(raw[152:156], "big")
    sigs = [raw[156 + 68 * i:156 + 68 * (i + 1)] for i in range(n)]
    return raw[:152], sigs

def qc_join(vote, sigs):
    return (vote + len(sigs).to_bytes(4, "big") + b"".join(sigs)).hex()

def edit_block_qc(bundle, edit):
    cert = bytes.fromhex(bundle["block"]["certificate"])
    head, qc = cert[:13], cert[13:].hex()
    vote, sigs = qc_parts(qc)
    bundle["block"]["certificate"] = head.hex() + qc_join(vote, edit(sigs))

def write(name, description, bundle, expect, pinned=None, checkpoint=None):
    vector = {"description": description, "expect": expect, "bundle": bundle}
    if pinned is not None:
        vector["genesis"] = pinned
    if checkpoint is not None:
        vector["checkpoint"] = checkpoint
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(vector, f, indent=1, sort_keys=True)
        f.write("\n")

write("01-valid", "a valid bundle, genesis pinned", b1, "verified", pinned=genesis)
write("02-valid-unpinned", "another valid bundle, trusting its own genesis", b2, "verified")

t = copy.deepcopy(b1)
leaf = bytes.fromhex(t["result"]["leaf"])
t["result"]["leaf"] = leaf.replace(b"laptops", b"servers").hex() if b"laptops" in leaf else leaf.replace(b"20", b"19", 1).hex()
write("10-altered-record-field", "the certified result's product batch was edited", t,
      "result-not-in-block", pinned=genesis)

t = copy.deepcopy(b1)
t["result"] = copy.deepcopy(b2["result"])
write("11-swapped-result", "the result of another exit record, under this code", t,
      "exit-code-mismatch", pinned=genesis)

t = copy.deepcopy(b1)
t["result"]["path"] = t["result"]["path"][:-1] if t["result"]["path"] else ["00" * 32]
write("12-wrong-path", "an audit path of the wrong length", t, "wrong-path", pinned=genesis)

t = copy.deepcopy(b1)
edit_block_qc(t, lambda sigs: sigs[:2])
write("13-too-few-signatures", "the block certificate keeps 2 of its signatures (quorum 3)", t,
      "too-few-signatures", pinned=genesis)

t = copy.deepcopy(b1)
edit_block_qc(t, lambda sigs: sigs[:-1] + [(7).to_bytes(4, "big") + sigs[-1][4:]])
write("14-non-validator-signer", "a signature claims validator 7 of 4", t,
      "non-validator-signer", pinned=genesis)

t = copy.deepcopy(b1)
edit_block_qc(t, lambda sigs: sigs[:2] + [sigs[1]])
write("15-signer-counted-twice", "one validator's signature appears twice", t,
      "duplicate-signer", pinned=genesis)

t = copy.deepcopy(b1)
edit_block_qc(t, lambda sigs: sigs[:-1] + [sigs[-1][:4] + bytes(64)])
write("16-bad-signature", "one signature replaced by zeros", t, "bad-signature", pinned=genesis)

t = copy.deepcopy(b1)
changed = copy.deepcopy(t["validator_sets"][0])
changed["from_height"] = 5
changed["validators"] = changed["validators"][:3] + ["11" * 32]
changed["established_by"] = "nobody"
t["validator_sets"].append(changed)
write("17-uncertified-validator-set-change", "a validator-set change without a certificate", t,
      "uncertified-validator-set-change", pinned=genesis)

write("18-wrong-genesis", "a valid bundle checked against another network's genesis", b1,
      "wrong-genesis", pinned=other_genesis)

t = copy.deepcopy(b1)
t["commit_chain"] = [b2["block"]["certificate"][26:]] + t["commit_chain"][1:]
write("19-forked-chain", "the commit proof does not extend the block", t, "forked-chain",
      pinned=genesis)

t = copy.deepcopy(b1)
t["commit_chain"] = []
write("20-not-committed", "certified but no proof of commit", t, "not-committed", pinned=genesis)

t = copy.deepcopy(b1)
t["block"]["certificate"] = b2["block"]["certificate"]
write("21-certificate-of-another-block", "a valid certificate, of another block", t,
      "certificate-mismatch", pinned=genesis)

tip_vote, _ = qc_parts(b1["tip"])
tip_height = int.from_bytes(tip_vote[40:48], "big")
chain_id = b1["chain_id"]
write("22-rolled-back", "the verifier had seen a higher block before", b1, "rollback",
      pinned=genesis, checkpoint={"chain_id": chain_id, "height": tip_height + 10, "block_id": "00" * 32})
write("23-forked-tip", "the verifier had seen another block at the node's tip height", b1, "fork",
      pinned=genesis, checkpoint={"chain_id": chain_id, "height": tip_height, "block_id": "ab" * 32})
print("wrote", len(os.listdir(out_dir)), "vectors to", out_dir)
