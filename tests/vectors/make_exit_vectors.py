#!/usr/bin/env python3
"""Writes tests/vectors/exit/*.json (docs/testing.md, "Exit proof vectors"): valid bundles and one
per tampering class, each with the reason `mbl verify` and the verification page must give.
tests/vectors/make_exit_vectors.sh starts the networks and runs this; by hand:

  make_exit_vectors.py --mbl MBL --quorum-net DIR --quorum-node URL \
      --single-net DIR --single-node URL --other-genesis GENESIS.json

Both networks must have run scenarios/worked-example.json and tests/vectors/recycled-to-brand.json.
Needs python3-cryptography (Debian) for Ed25519 signatures.
"""
import argparse, base64, copy, hashlib, json, os, subprocess, sys, tempfile, time
import urllib.request
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ap = argparse.ArgumentParser()
for flag in ("mbl", "quorum-net", "quorum-node", "single-net", "single-node", "other-genesis"):
    ap.add_argument("--" + flag, required=True)
args = ap.parse_args()
here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "exit")
os.makedirs(os.path.join(out_dir, "genesis"), exist_ok=True)
for name in os.listdir(out_dir):
    if name.endswith(".json"):
        os.remove(os.path.join(out_dir, name))

RECORD_TAG = b"mbl.record.v1\0"
VOTE_TAG = b"mbl.consensus.vote.v1\0"
BLOCK_TAG = b"mbl.block.v1\0"
BLOCK_SIGNATURE_TAG = b"mbl.block-signature.v1\0"


def load(path):
    with open(path) as f:
        return json.load(f)


def secret_key(path):
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(open(path).read().split()[1]))


def public_hex(key):
    from cryptography.hazmat.primitives import serialization
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def record_id(payload):
    return hashlib.sha256(RECORD_TAG + payload).digest()


def chain_of(genesis):
    return record_id(base64.b64decode(genesis["payload"])).hex()


# ---- the networks ----------------------------------------------------------------------------

def http(node, method, target, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(node + target, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.load(reply)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def sign(net, chain, record):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "record.json")
        with open(path, "w") as f:
            json.dump(record, f)
        out = os.path.join(tmp, "envelope.json")
        subprocess.run([args.mbl, "record", "sign", "--in", path, "--key",
                        os.path.join(net, "brand/keys/ops.secret"), "--chain", chain, "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        return load(out)


def site(name):
    return {"author_org": "brand", "site_definition": {
        "site_id": name, "name": "Warehouse " + name, "area_type": "site", "geographic_boundary": "TW",
        "processes": ["storage"], "physical_presence_possible": True}}


def exit_record(batch, disclose, grams=1000000):
    body = {"site_id": "assembly", "characteristic": "cu-re-mix", "product_group": "cu-cathode",
            "credit_grams": str(grams), "scope": "PRODUCT", "product_description": "recycled copper cable",
            "product_batch": batch, "product_units": "2000", "disclose_quantities": disclose}
    return {"author_org": "brand", "system_exit": body}


def commit_in_one_block(net, node, chain, records):
    """Submits records as one batch until they land in one block; returns their outcomes."""
    for attempt in range(5):
        envelopes = [sign(net, chain, r) for r in records]
        status, reply = http(node, "POST", "/v1/records?wait=commit", {"records": envelopes})
        assert status == 200, reply
        outcomes = reply["results"]
        assert all(o["status"] == "accepted" for o in outcomes), outcomes
        if len({o["height"] for o in outcomes}) == 1:
            return outcomes
        print("batch split over blocks; again", file=sys.stderr)
    sys.exit("could not commit the batch in one block")


def fetch(net, node, chain, code, known_height=None):
    """The bundle of `code`, once its block is provably committed (blocks follow new records)."""
    target = "/v1/exit/" + code + (f"?known_height={known_height}" if known_height is not None else "")
    for attempt in range(20):
        status, reply = http(node, "GET", target)
        assert status == 200, reply
        if reply.get("proof"):
            return reply["proof"]
        commit_in_one_block(net, node, chain, [site(f"filler-{time.time_ns()}")])
    sys.exit("no proof for " + code)


def code_of(outcome):
    return outcome["result"]["details"]["exit_code"]


q_net, q_node = args.quorum_net, args.quorum_node
s_net, s_node = args.single_net, args.single_node
q_genesis, s_genesis = load(os.path.join(q_net, "genesis.json")), load(os.path.join(s_net, "genesis.json"))
o_genesis = load(args.other_genesis)
q_chain, s_chain, o_chain = chain_of(q_genesis), chain_of(s_genesis), chain_of(o_genesis)
for name, genesis in (("quorum", q_genesis), ("single", s_genesis), ("other", o_genesis)):
    with open(os.path.join(out_dir, "genesis", name + ".json"), "w") as f:
        json.dump(genesis, f, indent=1)
        f.write("\n")

# Two multi-record blocks of the 4-validator network, one of the single validator's.
first = commit_in_one_block(q_net, q_node, q_chain, [
    site("dock-1"), exit_record("cables 2026-W50 A", True), exit_record("cables 2026-W50 B", False),
    site("dock-2"), exit_record("cables 2026-W50 C", True), exit_record("cables 2026-W50 D", False)])
second = commit_in_one_block(q_net, q_node, q_chain, [
    site("dock-3"), exit_record("cables 2026-W51 A", True), exit_record("cables 2026-W51 B", False)])
single = commit_in_one_block(s_net, s_node, s_chain, [
    site("dock-1"), exit_record("cables 2026-W50 S", True), exit_record("cables 2026-W50 T", False),
    site("dock-2")])
b1 = fetch(q_net, q_node, q_chain, code_of(first[1]))
b_withheld = fetch(q_net, q_node, q_chain, code_of(first[2]))
b2 = fetch(q_net, q_node, q_chain, code_of(second[1]))
bs = fetch(s_net, s_node, s_chain, code_of(single[1]))
b1_height = first[1]["height"]
known_height = b1_height - 3
b_known = fetch(q_net, q_node, q_chain, code_of(first[1]), known_height)
assert len(b1["result"]["path"]) >= 2 and len(b1["record"]["path"]) >= 2, "paths of length >= 2"
assert b1["result"]["tree_size"] == 6 and "withheld" in b_withheld["record"]
assert bs["certificate_kind"] == "single-validator"


def write(name, description, bundle, expect, genesis=None, chain=None, checkpoint=None,
          asked_code=None):
    vector = {"description": description, "expect": expect, "bundle": bundle}
    if asked_code is not None:
        vector["asked_code"] = asked_code
    if genesis is not None:
        vector["genesis_file"] = "genesis/" + genesis + ".json"
    if chain is not None:
        vector["chain"] = chain
    if checkpoint is not None:
        vector["checkpoint"] = checkpoint
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(vector, f, indent=1, sort_keys=True)
        f.write("\n")


# ---- byte surgery --------------------------------------------------------------------------------

# Quorum certificates: vote data (152) || u32 n || n * (u32 signer || 64 signature).
def qc_parts(qc_hex):
    raw = bytes.fromhex(qc_hex)
    n = int.from_bytes(raw[152:156], "big")
    return raw[:152], [raw[156 + 68 * i:156 + 68 * (i + 1)] for i in range(n)]


def qc_join(vote, sigs):
    return (vote + len(sigs).to_bytes(4, "big") + b"".join(sigs)).hex()


def qc_height_and_id(qc_hex):
    vote, _ = qc_parts(qc_hex)
    return int.from_bytes(vote[40:48], "big"), vote[:32].hex()


def edit_block_qc(bundle, edit):
    cert = bytes.fromhex(bundle["block"]["certificate"])
    vote, sigs = qc_parts(cert[13:].hex())
    bundle["block"]["certificate"] = cert[:13].hex() + qc_join(vote, edit(vote, sigs))


def flip(hex_text, at=0):
    raw = bytearray(bytes.fromhex(hex_text))
    raw[at] ^= 1
    return raw.hex()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_path(leaf, index, size, path):
    """RFC 9162 2.1.3.2: the root a leaf and its audit path lead to."""
    fn, sn, r = index, size - 1, hashlib.sha256(b"\x00" + leaf).digest()
    for p in (bytes.fromhex(h) for h in path):
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r


def single_validator_key():
    """The secret key of the single validator's node, found by its public key."""
    validator = bs["validator_sets"][0]["validators"][0]
    for org in os.listdir(s_net):
        path = os.path.join(s_net, org, "node", "node.secret")
        if os.path.exists(path) and public_hex(secret_key(path)) == validator:
            return secret_key(path)
    sys.exit("no node key of the single validator in " + s_net)


def resign_single_block(bundle, leaf):
    """A single validator's block with another result: what a compromised validator could sign."""
    header = bytearray(bytes.fromhex(bundle["block"]["header"]))
    result = bundle["result"]
    header[85:117] = root_from_path(leaf, result["index"], result["tree_size"], result["path"])
    key = single_validator_key()
    block_hash = hashlib.sha256(BLOCK_TAG + bytes(header)).digest()
    bundle["block"]["header"] = bytes(header).hex()
    bundle["block"]["certificate"] = key.sign(BLOCK_SIGNATURE_TAG + block_hash).hex()
    result["leaf"] = leaf.hex()


# Protobuf, enough to craft genesis payloads: (number, wire, value) with bytes or int values.
def varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7f, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def proto_fields(raw):
    fields, at = [], 0
    def read():
        nonlocal at
        value, shift = 0, 0
        while True:
            byte = raw[at]; at += 1
            value |= (byte & 0x7f) << shift; shift += 7
            if not byte & 0x80:
                return value
    while at < len(raw):
        key = read(); number, wire = key >> 3, key & 7
        if wire == 0:
            fields.append([number, 0, read()])
        elif wire == 2:
            n = read(); fields.append([number, 2, raw[at:at + n]]); at += n
        else:
            raise ValueError("wire type %d in a genesis" % wire)
    return fields


def proto_encode(fields):
    out = bytearray()
    for number, wire, value in fields:
        out += varint(number << 3 | wire)
        out += varint(value) if wire == 0 else varint(len(value)) + value if wire == 2 else value
    return bytes(out)


def crafted_genesis_bundle(edit):
    """b1 with its genesis payload edited by `edit(record fields)` and signed again by its author."""
    t = copy.deepcopy(b1)
    record = proto_fields(base64.b64decode(q_genesis["payload"]))
    edit(record)
    payload = proto_encode(record)
    top = secret_key(os.path.join(q_net, "consortium/keys/top.secret"))
    assert public_hex(top) == q_genesis["signer"]
    t["genesis"] = {"payload": base64.b64encode(payload).decode(), "signer": q_genesis["signer"],
                    "signature": top.sign(RECORD_TAG + payload).hex()}
    t["chain_id"] = record_id(payload).hex()
    return t


def edit_genesis_body(record, edit):
    for field in record:
        if field[0] == 10:
            body = proto_fields(field[2]); edit(body); field[2] = proto_encode(body)


def edit_first_validator(record, edit):
    def on_body(body):
        validator = next(f for f in body if f[0] == 4)
        fields = proto_fields(validator[2]); edit(fields); validator[2] = proto_encode(fields)
    edit_genesis_body(record, on_body)


# ---- the vectors ---------------------------------------------------------------------------------

validators = b1["validator_sets"][0]["validators"]
tip_height, tip_id = qc_height_and_id(b1["tip"])
known_qc_height, known_id = qc_height_and_id(b_known["known_block"])
assert known_qc_height == known_height


def checkpoint(height, block_id, trusted=q_chain, chain=q_chain, kept_validators=validators):
    return {"format": "mbl.verify-checkpoint.v1", "trusted_chain": trusted,
            "chains": {chain: {"validators": kept_validators, "height": height, "block_id": block_id,
                               "pinned": False}}}


write("01-valid-pinned-genesis", "an exit record with its result, in a block of 6 records, genesis pinned",
      b1, "verified", genesis="quorum")
write("02-valid-record-withheld-unpinned", "an exit whose author disclosed no quantities: the record "
      "is withheld, its certified result verifies; nothing pinned", b_withheld, "verified")
write("03-valid-single-validator", "a one-validator ledger: the validator's signature over the header",
      bs, "verified", genesis="single")
write("04-valid-pinned-chain-id", "another block's exit, the ledger pinned by its chain id", b2,
      "verified", chain=q_chain)
write("05-valid-known-block", "the node shows the block the verifier's checkpoint holds", b_known,
      "verified", checkpoint=checkpoint(known_height, known_id))

t = copy.deepcopy(b1)
t["result"]["leaf"] = bytes.fromhex(t["result"]["leaf"]).replace(b"cables", b"cabled").hex()
write("10-altered-result-field", "the certified result's product batch was edited", t,
      "result-not-in-block", genesis="quorum")

t = copy.deepcopy(b1)
t["result"] = copy.deepcopy(b_withheld["result"])
write("11-swapped-result", "the result of another exit record, under this code", t,
      "exit-code-mismatch", genesis="quorum")

t = copy.deepcopy(b1)
t["result"]["path"] = t["result"]["path"][:-1]
write("12-wrong-path-length", "a result audit path one hash short", t, "wrong-path", genesis="quorum")

t = copy.deepcopy(b1)
t["result"]["path"][0] = flip(t["result"]["path"][0])
write("13-wrong-path-sibling", "a result audit path of the right length with a wrong sibling", t,
      "result-not-in-block", genesis="quorum")

t = copy.deepcopy(b1)
edit_block_qc(t, lambda vote, sigs: sigs[:2])
write("14-too-few-signatures", "the block certificate keeps 2 of its signatures (quorum 3)", t,
      "too-few-signatures", genesis="quorum")

t = copy.deepcopy(b1)
edit_block_qc(t, lambda vote, sigs: sigs[:-1] + [(7).to_bytes(4, "big") + sigs[-1][4:]])
write("15-non-validator-index", "a signature claims validator 7 of 4", t, "non-validator-signer",
      genesis="quorum")

brand_ops = secret_key(os.path.join(q_net, "brand/keys/ops.secret"))
t = copy.deepcopy(b1)
edit_block_qc(t, lambda vote, sigs: sigs[:-1] + [
    sigs[-1][:4] + brand_ops.sign(VOTE_TAG + bytes.fromhex(q_chain) + vote)])
write("16-non-validator-real-key", "a signature by a real key of the ledger (the brand's operation "
      "responsible), which is not a validator's", t, "non-validator-signer", genesis="quorum")

t = copy.deepcopy(b1)
edit_block_qc(t, lambda vote, sigs: sigs[:2] + [sigs[1]])
write("17-signer-counted-twice", "one validator's signature appears twice", t, "duplicate-signer",
      genesis="quorum")

t = copy.deepcopy(b1)
edit_block_qc(t, lambda vote, sigs: sigs[:-1] + [sigs[-1][:4] + bytes(64)])
write("18-bad-signature", "one signature replaced by zeros", t, "bad-signature", genesis="quorum")

t = copy.deepcopy(b1)
changed = copy.deepcopy(t["validator_sets"][0])
changed.update({"from_height": 5, "validators": changed["validators"][:3] + ["11" * 32],
                "established_by": "nobody"})
t["validator_sets"].append(changed)
write("19-uncertified-validator-set-change", "a validator-set change without a certificate", t,
      "uncertified-validator-set-change", genesis="quorum")

write("20-wrong-genesis", "a valid bundle checked against another network's genesis", b1,
      "wrong-genesis", genesis="other")

t = copy.deepcopy(b1)
t["commit_chain"] = [b2["block"]["certificate"][26:]] + t["commit_chain"][1:]
write("21-forked-chain", "the commit proof does not extend the block", t, "forked-chain",
      genesis="quorum")

t = copy.deepcopy(b1)
t["commit_chain"] = []
write("22-not-committed", "certified but no proof of commit", t, "not-committed", genesis="quorum")

t = copy.deepcopy(b1)
t["block"]["certificate"] = b2["block"]["certificate"]
write("23-certificate-of-another-block", "a valid certificate, of another block", t,
      "certificate-mismatch", genesis="quorum")

write("24-rolled-back", "the verifier had verified a higher block before", b1, "rollback",
      genesis="quorum", checkpoint=checkpoint(tip_height + 10, "00" * 32))
write("25-forked-tip", "the verifier had verified another block at the node's tip height", b1, "fork",
      genesis="quorum", checkpoint=checkpoint(tip_height, "ab" * 32))
write("26-fork-at-known-block", "the node shows another block than the verifier's at its height",
      b_known, "fork", checkpoint=checkpoint(known_height, "ab" * 32))
write("27-checkpoint-not-shown", "the node does not show the block the verifier's checkpoint holds",
      b1, "checkpoint-not-shown", checkpoint=checkpoint(known_height, known_id))
write("28-other-chain-than-trusted", "nothing pinned, and the verifier trusts another ledger", b1,
      "wrong-genesis", checkpoint=checkpoint(5, "00" * 32, trusted=o_chain, chain=o_chain))
write("29-checkpoint-validator-set-differs", "the verifier kept another validator set for the chain",
      b1, "validator-set", checkpoint=checkpoint(known_height, known_id,
                                                 kept_validators=validators[:3] + ["22" * 32]))
write("30-wrong-chain-id-pinned", "a valid bundle, another ledger pinned by chain id", b1,
      "wrong-genesis", chain=o_chain)

t = copy.deepcopy(b1)
payload = base64.b64decode(t["record"]["envelope"]["payload"])
assert b"cables" in payload
t["record"]["envelope"]["payload"] = base64.b64encode(payload.replace(b"cables", b"cabled")).decode()
write("31-altered-exit-record-field", "the exit record's product batch was edited", t,
      "bad-record-signature", genesis="quorum")

t = copy.deepcopy(b1)
t["record"] = copy.deepcopy(b2["record"])
write("32-swapped-exit-record", "another exit record, with its valid path in another block", t,
      "record-mismatch", genesis="quorum")

t = copy.deepcopy(b1)
t["record"]["path"][-1] = flip(t["record"]["path"][-1])
write("33-record-path-wrong-sibling", "the record's audit path with a wrong sibling", t,
      "record-not-in-block", genesis="quorum")

t = copy.deepcopy(b1)
t["record"]["path"] = t["record"]["path"] + ["00" * 32]
write("34-record-path-wrong-length", "the record's audit path one hash too long", t, "wrong-path",
      genesis="quorum")

t = copy.deepcopy(b1)
t["record"] = copy.deepcopy(b_withheld["record"])
write("35-record-withheld-but-disclosed", "the record withheld although its author disclosed its "
      "quantities", t, "record-missing", genesis="quorum")

t = copy.deepcopy(bs)
resign_single_block(t, bytes.fromhex(t["result"]["leaf"]).replace(b"cables", b"cabled"))
write("36-record-disagrees-with-result", "a validator certified a result that is not its record's "
      "(the single validator signed an altered result)", t, "record-fields-mismatch", genesis="single")

t = copy.deepcopy(bs)
t["block"]["certificate"] = flip(t["block"]["certificate"], 10)
write("37-single-bad-signature", "the single validator's signature altered", t, "bad-signature",
      genesis="single")

t = copy.deepcopy(bs)
header = bytearray(bytes.fromhex(t["block"]["header"]))
s_brand_ops = secret_key(os.path.join(s_net, "brand/keys/ops.secret"))
header[149:181] = bytes.fromhex(public_hex(s_brand_ops))
t["block"]["header"] = bytes(header).hex()
t["block"]["certificate"] = s_brand_ops.sign(
    BLOCK_SIGNATURE_TAG + hashlib.sha256(BLOCK_TAG + bytes(header)).digest()).hex()
write("38-single-signed-by-non-validator", "a block signed by a member's key, not the validator's", t,
      "non-validator-signer", genesis="single")

t = copy.deepcopy(bs)
leaf = bytearray(bytes.fromhex(t["result"]["leaf"]))
leaf[32] = 0
resign_single_block(t, bytes(leaf))
write("39-rejected-record", "a result that says the exit record was rejected", t, "rejected-record",
      genesis="single")

t = crafted_genesis_bundle(lambda record: edit_first_validator(
    record, lambda validator: validator.append([2, 2, b"11" * 32])))
write("40-genesis-duplicate-field", "a genesis whose first validator has two public keys (Protobuf "
      "keeps the last; the rule refuses)", t, "genesis-unreadable")

t = crafted_genesis_bundle(lambda record: edit_genesis_body(record, lambda body: body.append([4, 0, 1])))
write("41-genesis-wrong-wire-type", "a genesis with a validators field (4) encoded as a number", t,
      "genesis-unreadable")

t = crafted_genesis_bundle(lambda record: record.append([99, 3, b""]) or record.append([99, 4, b""]))
write("42-genesis-group", "a genesis record with an (empty) group field", t, "genesis-unreadable")

t = crafted_genesis_bundle(lambda record: record.append([11, 2, b""]))
write("43-genesis-two-bodies", "a genesis record that is also a membership change", t,
      "genesis-unreadable")

t = crafted_genesis_bundle(lambda record: record.append([99, 0, 7]))
write("44-genesis-unknown-field", "a genesis with an unknown field: read alike by both, but it is "
      "another ledger, which the validators did not sign for", t, "bad-signature")

# ---- issue 13: a code verifies only as itself; the signer is certified; a key counts once --------

write("47-code-mismatch", "a genuine bundle of another exit, served for the code the user asked about",
      b1, "code-mismatch", genesis="quorum", asked_code=code_of(first[2]).lower().replace("-", ""))

t = copy.deepcopy(b1)
other_key = secret_key(os.path.join(q_net, "wiremaker/keys/ops.secret"))
envelope = t["record"]["envelope"]
payload = base64.b64decode(envelope["payload"])
envelope["signer"] = public_hex(other_key)
envelope["signature"] = other_key.sign(RECORD_TAG + payload).hex()
new_leaf = len(payload).to_bytes(4, "big") + payload + bytes.fromhex(envelope["signer"]) + \
    bytes.fromhex(envelope["signature"])
header = bytearray(bytes.fromhex(t["block"]["header"]))
header[53:85] = root_from_path(new_leaf, t["record"]["index"], int.from_bytes(header[49:53], "big"),
                               t["record"]["path"])
t["block"]["header"] = bytes(header).hex()
write("48-record-signed-again", "the exit record signed again by another member's key, the header's "
      "records root rebuilt around it (the QC does not cover the records root)", t, "signer-mismatch",
      genesis="quorum")


def node_keys(net):
    keys = {}
    for org in os.listdir(net):
        path = os.path.join(net, org, "node", "node.secret")
        if os.path.exists(path):
            key = secret_key(path)
            keys[public_hex(key)] = key
    return keys


def vote_data(block_id, round_, height, parent_id, parent_round, state_root, results_root):
    return (block_id + round_.to_bytes(8, "big") + height.to_bytes(8, "big") + parent_id +
            parent_round.to_bytes(8, "big") + state_root + results_root)


def forged_qc(vote, domain, signing_keys):
    """A QC as the listed validators (index, key) would sign it."""
    sigs = [index.to_bytes(4, "big") + key.sign(VOTE_TAG + domain + vote) for index, key in signing_keys]
    return qc_join(vote, sigs)


def forged_commit(block_id, round_, height, state_root, results_root, domain, signing_keys):
    """A certificate of a block and a commit chain of one consecutive-round child."""
    vote = vote_data(block_id, round_, height, hashlib.sha256(block_id).digest(), round_ - 1,
                     state_root, results_root)
    child = vote_data(hashlib.sha256(b"child" + block_id).digest(), round_ + 1, height + 1, block_id,
                      round_, hashlib.sha256(b"s" + block_id).digest(),
                      hashlib.sha256(b"r" + block_id).digest())
    return forged_qc(vote, domain, signing_keys), forged_qc(child, domain, signing_keys)


def set_listing_a_key_twice(signer_indices):
    """b1 on a ledger whose (forged, but fully signed) T1 change listed one validator's key twice,
    in two spellings: what a ledger without the one-spelling rule could have certified."""
    keys = node_keys(q_net)
    genesis_set = b1["validator_sets"][0]["validators"]
    assert set(genesis_set) <= set(keys), "every validator's node key is in the network directory"
    chain_id = bytes.fromhex(q_chain)
    new_set = [genesis_set[0], genesis_set[0].upper()] + genesis_set[1:3]
    exit_header = bytes.fromhex(b1["block"]["header"])
    exit_height = int.from_bytes(exit_header[1:9], "big")
    change_height = exit_height - 4
    details = json.dumps({"epoch": 1, "validator_set_after": new_set}, separators=(",", ":"),
                         sort_keys=True).encode()
    leaf = hashlib.sha256(b"forged T1").digest() + b"\x01" + (0).to_bytes(4, "big") * 2 + \
        len(details).to_bytes(4, "big") + details
    results_root = hashlib.sha256(b"\x00" + leaf).digest()
    state_root = hashlib.sha256(b"forged state").digest()
    change_header = (b"\x01" + change_height.to_bytes(8, "big") + bytes(32) + exit_header[41:49] +
                     (1).to_bytes(4, "big") + bytes(32) + results_root + state_root + bytes(32))
    assert len(change_header) == 181
    epoch0 = [(i, keys[k]) for i, k in enumerate(genesis_set)][:3]
    change_id = hashlib.sha256(b"forged change block").digest()
    change_qc, change_child = forged_commit(change_id, 5000, change_height, state_root, results_root,
                                           chain_id, epoch0)
    domain1 = hashlib.sha256(b"mbl.epoch-domain.v1\0" + chain_id + (1).to_bytes(8, "big")).digest()
    epoch1 = [(i, keys[new_set[i].lower()]) for i in signer_indices]
    exit_id = hashlib.sha256(b"forged exit block").digest()
    exit_qc, exit_child = forged_commit(exit_id, 6000, exit_height, exit_header[117:149],
                                       exit_header[85:117], domain1, epoch1)
    t = copy.deepcopy(b1)
    t.pop("tip", None)
    t.pop("known_block", None)
    t["validator_sets"].append({"epoch": 1, "from_height": change_height + 1, "validators": new_set,
                                "established_by": {
                                    "block": {"header": change_header.hex(),
                                              "certificate": "02" + (5000).to_bytes(8, "big").hex() +
                                              "00000000" + change_qc},
                                    "result": {"leaf": leaf.hex(), "index": 0, "tree_size": 1, "path": []},
                                    "commit_chain": [change_child]}})
    cert = bytes.fromhex(t["block"]["certificate"])
    t["block"]["certificate"] = cert[:13].hex() + exit_qc
    t["commit_chain"] = [exit_child]
    return t


write("07-valid-set-listing-a-key-twice", "a validator set that lists one key twice (two spellings) "
      "counts it once: 3 distinct validators, quorum 3, signed by 3 distinct keys",
      set_listing_a_key_twice([0, 2, 3]), "verified", genesis="quorum")
write("49-one-key-signing-twice", "a validator set that lists one key twice: that key's two "
      "signatures count once, so 3 signatures are 2 validators", set_listing_a_key_twice([0, 1, 2]),
      "duplicate-signer", genesis="quorum")

print("wrote", len([n for n in os.listdir(out_dir) if n.endswith(".json")]), "vectors to", out_dir)
