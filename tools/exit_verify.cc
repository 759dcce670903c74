#include "tools/exit_verify.h"

#include <algorithm>
#include <set>

#include "base/limits.h"
#include "chaincode/credits/exit_code.h"
#include "chaincode/record_json.h"
#include "consensus/certificates.h"
#include "consensus/codec.h"
#include "consensus/validator_set.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "formats/block.h"
#include "formats/epoch.h"
#include "formats/exit_proof.h"
#include "formats/records_payload.h"
#include "tools/payload_reader.h"

namespace mbl::tools {
namespace {

// JSON numbers a verifier reads must be exact in a browser's double too.
constexpr std::uint64_t kJsonIntegerMax = (1ULL << 53) - 1;

Status Fail(std::string_view reason, const std::string& detail) {
  return Unauthenticated("[" + std::string(reason) + "] " + detail);
}

Result<std::string> Text(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) {
    return Fail("format", std::string("bundle field '") + key + "' is missing or not a string");
  }
  return object[key].get<std::string>();
}

Result<std::string> HexField(const nlohmann::json& object, const char* key) {
  MBL_ASSIGN_OR_RETURN(std::string text, Text(object, key));
  auto bytes = crypto::FromHex(text);
  if (!bytes.ok()) return Fail("format", std::string("bundle field '") + key + "' is not hex");
  return *bytes;
}

Result<std::uint64_t> Number(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned() ||
      object[key].get<std::uint64_t>() > kJsonIntegerMax) {
    return Fail("format", std::string("bundle field '") + key + "' is missing or not a number");
  }
  return object[key].get<std::uint64_t>();
}

const nlohmann::json& Member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object() || !object.contains(key)) return kNull;
  return object[key];
}

Result<chaincode::SignedRecord> Envelope(const nlohmann::json& json, const std::string& what) {
  auto envelope = chaincode::EnvelopeFromJson(json);
  if (!envelope.ok()) return Fail("format", what + ": " + envelope.status().message());
  return *envelope;
}

std::uint32_t U32At(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

crypto::Hash256 HashAt(std::string_view bytes, std::size_t at) {
  crypto::Hash256 hash{};
  std::copy_n(bytes.data() + at, hash.size(), reinterpret_cast<char*>(hash.data()));
  return hash;
}

// One validator set of the chain's history (an epoch, formats/epoch.h): who certifies the blocks
// from `from_height` on, until the next set's.
struct EpochSet {
  std::uint64_t epoch = 0;
  std::uint64_t from_height = 0;
  std::vector<std::string> validators;  // lower-case hex, by index
  std::vector<crypto::PublicKey> keys;  // by index
  std::size_t distinct = 0;             // N: keys counted once however often they are listed
  std::size_t quorum = 0;               // N - f
  crypto::Hash256 domain{};             // what its signatures are bound to
};

// What the verifier trusts while it checks one bundle.
struct Chain {
  crypto::Hash256 id{};
  std::string id_hex;
  GenesisView genesis;
  std::vector<EpochSet> sets;  // from genesis on, each certified by the one before

  // The set that certified the stored block at `height`.
  const EpochSet& SetFor(std::uint64_t height) const {
    std::size_t at = 0;
    while (at + 1 < sets.size() && sets[at + 1].from_height <= height) ++at;
    return sets[at];
  }
};

// A block some certificate in the bundle vouches for.
struct Shown {
  std::uint64_t height = 0;
  std::string id_hex;
};

// ---- quorum certificates: consensus::DecodeQuorumCertificate and CheckQuorumCertificate -------

// Signers as listed, so that a validator listed twice is named as such rather than as bad bytes.
Result<consensus::QuorumCertificate> DecodedQc(std::string_view bytes) {
  auto qc = consensus::DecodeQuorumCertificate(bytes, consensus::SignerOrder::kAsListed);
  if (!qc.ok()) return Fail("format", qc.status().message());
  return *qc;
}

// A signature that fails under its validator's key: is it a real key's, outside the set?
Status BadSignature(const Chain& chain, std::uint32_t signer, const std::string& message,
                    const crypto::Signature& signature) {
  for (const GenesisOrganization& organization : chain.genesis.organizations) {
    for (const std::string& hex : organization.person_keys) {
      auto key = crypto::FixedFromHex<32>(hex, "key");
      if (key.ok() && crypto::Verify(*key, message, signature)) {
        return Fail("non-validator-signer",
                    "the signature given for validator " + std::to_string(signer) + " is by key " +
                        hex + " of '" + organization.id + "', which is not a validator");
      }
    }
  }
  return Fail("bad-signature",
              "signature of validator " + std::to_string(signer) + " does not verify");
}

// A QC checked against the validator set `set`, each fault named by its reason code.
Status CheckQc(const consensus::QuorumCertificate& qc, const Chain& chain, const EpochSet& set) {
  const consensus::QcCheck check =
      consensus::CheckQuorumCertificate(qc, set.keys, set.quorum, set.domain);
  if (check.ok()) return Status::Ok();
  const std::string signer =
      check.at < qc.signatures.size() ? std::to_string(qc.signatures[check.at].signer) : "";
  switch (check.fault) {
    case consensus::QcFault::kNone:
      break;
    case consensus::QcFault::kUnknownSigner:
      return Fail("non-validator-signer", "a signature claims validator " + signer + " of " +
                                              std::to_string(set.keys.size()));
    case consensus::QcFault::kDuplicateSigner:
      return Fail("duplicate-signer", "validator " + signer + " is counted twice");
    case consensus::QcFault::kTooFewSigners:
      return Fail("too-few-signatures", std::to_string(qc.signatures.size()) +
                                            " validators signed, " + std::to_string(set.quorum) +
                                            " needed");
    case consensus::QcFault::kUnsortedSigners:
      return Fail("format", "signers are not in increasing order");
    case consensus::QcFault::kMalformed:
      return Fail("format", "quorum certificate rounds or height are malformed");
    case consensus::QcFault::kBadSignature:
      return BadSignature(chain, qc.signatures[check.at].signer,
                          consensus::VoteSigningBytes(set.domain, qc.vote_data),
                          qc.signatures[check.at].signature);
  }
  return Fail("format", check.status.message());
}

Result<consensus::QuorumCertificate> VerifiedQc(std::string_view bytes, const Chain& chain,
                                                const EpochSet& set) {
  MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate qc, DecodedQc(bytes));
  MBL_RETURN_IF_ERROR(CheckQc(qc, chain, set));
  return qc;
}

// The QC of a stored block, checked against the set of the block's height.
Result<consensus::QuorumCertificate> VerifiedStoredQc(std::string_view bytes, const Chain& chain) {
  MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate qc, DecodedQc(bytes));
  MBL_RETURN_IF_ERROR(CheckQc(qc, chain, chain.SetFor(qc.vote_data.height)));
  return qc;
}

// The QC in a block's BFT certificate (formats/records_payload.h), not yet checked.
Result<consensus::QuorumCertificate> BlockQc(const std::string& certificate) {
  auto decoded = formats::DecodeBftCertificate(certificate, consensus::SignerOrder::kAsListed);
  if (!decoded.ok()) {
    return Fail("format", "the block certificate is not a quorum certificate (" +
                              decoded.status().message() + ")");
  }
  return std::move(decoded->qc);
}

// A commit chain (hex QCs, each certifying a child of the block before): true when it reaches a
// QC one round after its parent's, the 2-chain proof that `first`'s block committed. Adds every
// block it certifies to `shown` when given.
Result<bool> CommitChainCommits(const nlohmann::json& entries,
                                const consensus::QuorumCertificate& first, const Chain& chain,
                                const EpochSet& set, std::vector<Shown>* shown) {
  if (!entries.is_array() || entries.empty()) return false;
  consensus::VoteData previous = first.vote_data;
  for (const auto& entry : entries) {
    if (!entry.is_string()) return Fail("format", "commit chain entry is not hex");
    auto bytes = crypto::FromHex(entry.get<std::string>());
    if (!bytes.ok()) return Fail("format", "commit chain entry is not hex");
    MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate next, VerifiedQc(*bytes, chain, set));
    const consensus::VoteData& vote = next.vote_data;
    if (vote.parent_id != previous.block_id || vote.height != previous.height + 1) {
      return Fail("forked-chain",
                  "commit chain does not extend block " + std::to_string(previous.height));
    }
    previous = vote;
    if (shown != nullptr) shown->push_back({previous.height, crypto::ToHex(previous.block_id)});
    if (consensus::ProvesCommit(vote)) return true;
  }
  return false;
}

// ---- single-validator certificates: the validator's signature over the block hash ------------

Result<formats::BlockHeader> Header(const std::string& bytes) {
  auto header = formats::DecodeHeader(bytes);
  if (!header.ok()) return Fail("format", "block header is malformed");
  return *header;
}

Result<Shown> VerifiedSignedHeader(const formats::BlockHeader& header, const std::string& signature,
                                   const Chain& chain) {
  if (signature.size() != crypto::kSignatureBytes) {
    return Fail("format", "a single-validator certificate is one 64-byte signature");
  }
  if (header.proposer != chain.sets[0].keys[0]) {
    if (formats::VerifyBlockSignature(header, signature)) {
      return Fail("non-validator-signer",
                  "block " + std::to_string(header.height) + " is signed by key " +
                      crypto::ToHex(header.proposer) + ", which is not the ledger's validator");
    }
    return Fail("bad-signature", "block " + std::to_string(header.height) +
                                     " is not signed by the ledger's validator");
  }
  if (!formats::VerifyBlockSignature(header, signature)) {
    return Fail("bad-signature", "the validator's signature over block " +
                                     std::to_string(header.height) + " does not verify");
  }
  if (header.height == 0) return Fail("certificate-mismatch", "block 0 holds no exit record");
  return Shown{header.height, crypto::ToHex(formats::BlockHash(header))};
}

Result<Shown> VerifiedHeaderObject(const nlohmann::json& object, const Chain& chain) {
  MBL_ASSIGN_OR_RETURN(std::string header_bytes, HexField(object, "header"));
  MBL_ASSIGN_OR_RETURN(formats::BlockHeader header, Header(header_bytes));
  MBL_ASSIGN_OR_RETURN(std::string signature, HexField(object, "certificate"));
  return VerifiedSignedHeader(header, signature, chain);
}

// ---- Merkle paths -------------------------------------------------------------------------

// Hashes in an RFC 6962 audit path for leaf `index` of a tree of `size` leaves.
std::size_t AuditPathLength(std::uint64_t index, std::uint64_t size) {
  std::size_t length = 0;
  while (size > 1) {
    std::uint64_t split = 1;
    while (split * 2 < size) split *= 2;
    if (index < split) {
      size = split;
    } else {
      index -= split;
      size -= split;
    }
    ++length;
  }
  return length;
}

Result<std::vector<crypto::Hash256>> Path(const nlohmann::json& object, const std::string& what) {
  const nlohmann::json& steps = Member(object, "path");
  if (!steps.is_array()) return Fail("format", what + " path missing");
  std::vector<crypto::Hash256> path;
  for (const auto& step : steps) {
    if (!step.is_string()) return Fail("format", what + " path entry is not hex");
    auto hash = crypto::FixedFromHex<32>(step.get<std::string>(), "path");
    if (!hash.ok()) return Fail("format", what + " path entry is not a hash");
    path.push_back(*hash);
  }
  return path;
}

// `leaf` at `index` of the block's tree of `size` leaves leads to `root`, or the reason.
Status CheckInclusion(std::string_view leaf, std::uint64_t index,
                      const std::vector<crypto::Hash256>& path, std::uint64_t size,
                      const crypto::Hash256& root, std::string_view not_in_block,
                      const std::string& what) {
  const std::size_t expected = AuditPathLength(index, size);
  if (index >= size || path.size() != expected) {
    return Fail("wrong-path", "an audit path for leaf " + std::to_string(index) + " of " +
                                  std::to_string(size) + " has " + std::to_string(expected) +
                                  " hashes; the " + what + " path has " +
                                  std::to_string(path.size()));
  }
  if (!crypto::VerifyMerkleInclusion(crypto::MerkleLeafHash(leaf), index, size, path, root)) {
    return Fail(not_in_block, "the " + what +
                                  " (as given) is not in the block's tree: altered, or another "
                                  "block's");
  }
  return Status::Ok();
}

// ---- 2. the trust anchor (docs/formats.md "Verification, in order") -----------------------------

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return text;
}

struct Anchor {
  Chain chain;
  Trust trust = Trust::kUnpinned;
};

Result<Anchor> CheckTrustAnchor(const nlohmann::json& bundle, const VerifyOptions& options) {
  if (!Member(bundle, "genesis").is_object()) return Fail("format", "bundle has no genesis");
  MBL_ASSIGN_OR_RETURN(chaincode::SignedRecord genesis,
                       Envelope(bundle["genesis"], "bundle genesis"));
  if (!chaincode::VerifyEnvelope(genesis).ok()) {
    return Fail("wrong-genesis", "the genesis signature does not verify");
  }
  if (options.pinned_genesis && options.pinned_genesis->payload != genesis.payload) {
    return Fail("wrong-genesis", "the bundle's genesis is not the genesis you trust");
  }
  Anchor anchor;
  anchor.chain.id = chaincode::ComputeRecordId(genesis.payload);
  anchor.chain.id_hex = crypto::ToHex(anchor.chain.id);
  MBL_ASSIGN_OR_RETURN(std::string claimed_chain, Text(bundle, "chain_id"));
  if (claimed_chain != anchor.chain.id_hex) {
    return Fail("wrong-genesis", "the bundle's chain id is not its genesis's");
  }
  if (options.pinned_chain_id && Lower(*options.pinned_chain_id) != anchor.chain.id_hex) {
    return Fail("wrong-genesis", "the bundle is of ledger " + anchor.chain.id_hex +
                                     ", not of the ledger you pinned (" + *options.pinned_chain_id +
                                     ")");
  }
  const bool pinned = options.pinned_genesis || options.pinned_chain_id;
  const std::string trusted = options.checkpoints ? options.checkpoints->trusted_chain : "";
  if (pinned) {
    anchor.trust = Trust::kPinned;
  } else if (!trusted.empty() && trusted != anchor.chain.id_hex) {
    return Fail("wrong-genesis", "this verifier trusts ledger " + trusted +
                                     " (trusted on first use) and the bundle is of ledger " +
                                     anchor.chain.id_hex +
                                     "; to verify another ledger, pin it by its chain id");
  } else if (!trusted.empty()) {
    anchor.trust = Trust::kKnown;
  } else {
    anchor.trust = options.checkpoints ? Trust::kFirstUse : Trust::kUnpinned;
  }
  auto view = ReadGenesisPayload(genesis.payload);
  if (!view.ok()) return Fail("genesis-unreadable", view.status().message());
  anchor.chain.genesis = std::move(*view);
  return anchor;
}

// ---- 3. the validator set -----------------------------------------------------------------------

struct ParsedLeaf {
  bool accepted = false;
  std::string details;
};

// record id (32) || u8 accepted || lp(rule) || lp(message) || lp(details_json)
Result<ParsedLeaf> ParseLeaf(std::string_view leaf) {
  if (leaf.size() < 33) return Fail("format", "result is truncated");
  ParsedLeaf parsed;
  parsed.accepted = leaf[32] == '\x01';
  std::size_t at = 33;
  for (int field = 0; field < 3; ++field) {
    if (at + 4 > leaf.size()) return Fail("format", "result is truncated");
    const std::uint32_t length = U32At(leaf, at);
    at += 4;
    if (length > leaf.size() - at) return Fail("format", "result is truncated");
    if (field == 2) parsed.details = std::string(leaf.substr(at, length));
    at += length;
  }
  if (at != leaf.size()) return Fail("format", "result has trailing bytes");
  return parsed;
}

Result<EpochSet> MakeSet(std::uint64_t epoch, std::uint64_t from_height,
                         std::vector<std::string> validators, const crypto::Hash256& chain_id) {
  EpochSet set;
  set.epoch = epoch;
  set.from_height = from_height;
  for (std::string& hex : validators) {
    auto key = crypto::FixedFromHex<32>(hex, "validator");
    if (!key.ok()) return Fail("format", "a validator key is not 32 bytes of hex");
    set.keys.push_back(*key);
    hex = crypto::ToHex(*key);  // one spelling: lower case
  }
  if (set.keys.empty()) return Fail("format", "a validator set is empty");
  set.validators = std::move(validators);
  // "k of N" counts keys, not entries: a key listed twice (in two spellings, say) is one validator.
  set.distinct = std::set<crypto::PublicKey>(set.keys.begin(), set.keys.end()).size();
  set.quorum = consensus::QuorumSize(set.distinct);
  set.domain = formats::EpochDomain(chain_id, epoch);
  return set;
}

Result<std::vector<std::string>> HexList(const nlohmann::json& list, const std::string& what) {
  if (!list.is_array()) return Fail("format", what + " is not a list");
  std::vector<std::string> out;
  for (const auto& entry : list) {
    if (!entry.is_string()) return Fail("format", what + " holds a non-string");
    out.push_back(entry.get<std::string>());
  }
  return out;
}

// Entry `epoch` of the history: the block that established it (a T1 validator change), committed
// under the set before it, and its certified result naming the new set.
Status CheckSetChange(const nlohmann::json& entry, std::uint64_t epoch, Chain& chain) {
  const EpochSet& previous = chain.sets.back();
  const std::string which = "the change to validator set " + std::to_string(epoch);
  MBL_ASSIGN_OR_RETURN(std::uint64_t from_height, Number(entry, "from_height"));
  MBL_ASSIGN_OR_RETURN(std::vector<std::string> validators,
                       HexList(Member(entry, "validators"), "validator set"));
  const nlohmann::json& proof = Member(entry, "established_by");
  if (!proof.is_object() || Member(entry, "epoch") != epoch) {
    return Fail("uncertified-validator-set-change", which + " carries no certificate");
  }
  MBL_ASSIGN_OR_RETURN(std::string header_bytes, HexField(Member(proof, "block"), "header"));
  MBL_ASSIGN_OR_RETURN(formats::BlockHeader header, Header(header_bytes));
  if (header.height + 1 != from_height || header.height < previous.from_height) {
    return Fail("uncertified-validator-set-change", which + " is not at the block that made it");
  }
  // The change's result, in that block's results root.
  const nlohmann::json& result = Member(proof, "result");
  MBL_ASSIGN_OR_RETURN(std::string leaf, HexField(result, "leaf"));
  MBL_ASSIGN_OR_RETURN(std::uint64_t index, Number(result, "index"));
  MBL_ASSIGN_OR_RETURN(std::vector<crypto::Hash256> path, Path(result, "set change result"));
  MBL_RETURN_IF_ERROR(CheckInclusion(leaf, index, path, header.record_count, header.results_root,
                                     "uncertified-validator-set-change", "set change result"));
  MBL_ASSIGN_OR_RETURN(ParsedLeaf parsed, ParseLeaf(leaf));
  const nlohmann::json details = nlohmann::json::parse(parsed.details, nullptr, false);
  if (!parsed.accepted || Member(details, "epoch") != epoch ||
      Member(details, "validator_set_after") != nlohmann::json(validators)) {
    return Fail("uncertified-validator-set-change",
                which + ": the block's certified result does not establish this set");
  }
  // Certified and committed by the set before.
  MBL_ASSIGN_OR_RETURN(std::string certificate, HexField(Member(proof, "block"), "certificate"));
  auto qc = BlockQc(certificate);
  if (!qc.ok()) {
    return Fail("uncertified-validator-set-change",
                which + " has no quorum certificate: " + qc.status().message());
  }
  if (Status certified = CheckQc(*qc, chain, previous); !certified.ok()) {
    return Fail("uncertified-validator-set-change",
                which + " is not certified by the set before it: " + certified.message());
  }
  const consensus::VoteData& vote = qc->vote_data;
  if (vote.height != header.height || vote.execution.results_root != header.results_root ||
      vote.execution.state_root != header.state_root) {
    return Fail("uncertified-validator-set-change", which + ": its certificate is another block's");
  }
  auto committed = CommitChainCommits(Member(proof, "commit_chain"), *qc, chain, previous, nullptr);
  if (!committed.ok() || !*committed) {
    return Fail("uncertified-validator-set-change",
                which + " is not proven committed by the set before it" +
                    (committed.ok() ? "" : ": " + committed.status().message()));
  }
  MBL_ASSIGN_OR_RETURN(EpochSet set, MakeSet(epoch, from_height, std::move(validators), chain.id));
  chain.sets.push_back(std::move(set));
  return Status::Ok();
}

Status CheckValidatorSets(const nlohmann::json& bundle, Chain& chain, const ChainCheckpoint* kept) {
  const nlohmann::json& sets = Member(bundle, "validator_sets");
  if (!sets.is_array() || sets.empty()) return Fail("format", "bundle has no validator sets");
  const nlohmann::json expected = chain.genesis.validators;
  if (Member(sets[0], "validators") != expected || Member(sets[0], "from_height") != 0) {
    return Fail("validator-set", "the bundle's first validator set is not the one of its genesis");
  }
  MBL_ASSIGN_OR_RETURN(EpochSet genesis_set, MakeSet(0, 0, chain.genesis.validators, chain.id));
  chain.sets.push_back(std::move(genesis_set));
  if (sets.size() > limits::kValidatorSetHistoryMax) {
    return Fail("format", "the bundle lists more validator sets than a verifier follows");
  }
  for (std::size_t i = 1; i < sets.size(); ++i) {
    if (chain.sets[0].keys.size() == 1) {
      return Fail("uncertified-validator-set-change",
                  "a single-validator ledger never changes its validator set");
    }
    MBL_RETURN_IF_ERROR(CheckSetChange(sets[i], i, chain));
  }
  if (kept != nullptr) {
    // The set kept with the checkpoint is the one this history gives for its height.
    if (kept->validators != chain.SetFor(kept->height).validators &&
        kept->validators != chain.sets.back().validators) {
      return Fail("validator-set",
                  "the validator set is not the one this verifier kept for the chain");
    }
  }
  return Status::Ok();
}

// ---- 4. the result ------------------------------------------------------------------------------

struct CertifiedResult {
  nlohmann::json claim;
  crypto::Hash256 record_id{};
  std::uint64_t index = 0;
};

Result<CertifiedResult> CheckResult(const nlohmann::json& bundle,
                                    const formats::BlockHeader& header,
                                    const std::optional<std::string>& asked_code) {
  const nlohmann::json& result = Member(bundle, "result");
  MBL_ASSIGN_OR_RETURN(std::string leaf, HexField(result, "leaf"));
  CertifiedResult certified;
  MBL_ASSIGN_OR_RETURN(certified.index, Number(result, "index"));
  MBL_ASSIGN_OR_RETURN(ParsedLeaf parsed, ParseLeaf(leaf));
  if (!parsed.accepted) return Fail("rejected-record", "the exit record was rejected");
  certified.record_id = HashAt(leaf, 0);
  certified.claim = nlohmann::json::parse(parsed.details, nullptr, false);
  MBL_ASSIGN_OR_RETURN(std::string code, Text(bundle, "exit_code"));
  auto canonical = chaincode::NormalizeExitCode(code);
  const nlohmann::json& claimed = Member(certified.claim, "exit_code");
  if (!canonical.ok() || !claimed.is_string() || claimed.get<std::string>() != *canonical ||
      chaincode::ExitCodeForRecord(certified.record_id) != *canonical) {
    return Fail("exit-code-mismatch", "the certified result is not the one of exit code " + code);
  }
  if (asked_code) {
    auto asked = chaincode::NormalizeExitCode(*asked_code);
    if (!asked.ok() || *asked != *canonical) {
      return Fail("code-mismatch", "you asked about exit code " +
                                       (asked.ok() ? *asked : *asked_code) +
                                       " and the bundle proves another exit, " + *canonical +
                                       ": whoever served it answered with the wrong proof; do not "
                                       "rely on it, and ask another node");
    }
  }
  for (const char* quantity : {"credit_grams", "product_units", "retired_ms"}) {
    const nlohmann::json& value = Member(certified.claim, quantity);
    if (!value.is_null() &&
        (!value.is_number_unsigned() || value.get<std::uint64_t>() > kJsonIntegerMax)) {
      return Fail("format", std::string("the result's ") + quantity + " is not a whole number");
    }
  }
  MBL_ASSIGN_OR_RETURN(std::vector<crypto::Hash256> path, Path(result, "result"));
  MBL_RETURN_IF_ERROR(CheckInclusion(leaf, certified.index, path, header.record_count,
                                     header.results_root, "result-not-in-block", "result"));
  return certified;
}

// ---- 6. the exit record itself (after the certificate) ------------------------------------------

std::string Disagreement(const ExitRecordView& record, const nlohmann::json& claim,
                         const Chain& chain) {
  auto text = [&](const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : std::string("\x01(absent)");
  };
  if (record.chain_id != std::string(reinterpret_cast<const char*>(chain.id.data()), 32)) {
    return "the record names another chain";
  }
  if (record.characteristic != text(Member(Member(claim, "characteristic"), "id"))) {
    return "characteristic";
  }
  if (ScopeName(record.scope) != text(Member(claim, "concerns"))) return "scope";
  if (record.product_description != text(Member(claim, "product_description"))) {
    return "product description";
  }
  if (record.product_batch != text(Member(claim, "product_batch"))) return "product batch";
  const nlohmann::json& grams = Member(claim, "credit_grams");
  const nlohmann::json& units = Member(claim, "product_units");
  if (record.disclose_quantities != !grams.is_null() || grams.is_null() != units.is_null()) {
    return "disclosure of quantities";
  }
  if (record.disclose_quantities && (grams.get<std::uint64_t>() != record.credit_grams ||
                                     units.get<std::uint64_t>() != record.product_units)) {
    return "quantities";
  }
  return "";
}

Result<VerifiedRecord> CheckRecord(const nlohmann::json& entry, const formats::BlockHeader& header,
                                   const CertifiedResult& result, const Chain& chain) {
  MBL_ASSIGN_OR_RETURN(chaincode::SignedRecord record,
                       Envelope(Member(entry, "envelope"), "exit record"));
  if (!chaincode::VerifyEnvelope(record).ok()) {
    return Fail("bad-record-signature",
                "the exit record's signature does not verify: the record was altered");
  }
  if (chaincode::ComputeRecordId(record.payload) != result.record_id) {
    return Fail("record-mismatch",
                "the exit record is another record than the one the certified result names");
  }
  const nlohmann::json& certified_signer = Member(result.claim, "signer");
  if (!certified_signer.is_string() ||
      certified_signer.get<std::string>() != crypto::ToHex(record.signer)) {
    return Fail("signer-mismatch",
                "the exit record carries the signature of key " + crypto::ToHex(record.signer) +
                    ", not of the key the ledger accepted it from (its certified result): "
                    "someone signed the record again");
  }
  MBL_ASSIGN_OR_RETURN(std::uint64_t index, Number(entry, "index"));
  if (index != result.index) {
    return Fail("record-mismatch", "the exit record and its result are at different positions");
  }
  MBL_ASSIGN_OR_RETURN(std::vector<crypto::Hash256> path, Path(entry, "record"));
  MBL_RETURN_IF_ERROR(CheckInclusion(chaincode::EncodeEnvelope(record), index, path,
                                     header.record_count, header.records_root,
                                     "record-not-in-block", "exit record"));
  auto view = ReadExitRecordPayload(record.payload);
  if (!view.ok()) return Fail("record-fields-mismatch", view.status().message());
  if (std::string field = Disagreement(*view, result.claim, chain); !field.empty()) {
    return Fail("record-fields-mismatch",
                "the exit record and its certified result disagree: " + field);
  }
  VerifiedRecord verified{view->author_org, "", crypto::ToHex(record.signer)};
  for (const GenesisOrganization& organization : chain.genesis.organizations) {
    if (organization.id == view->author_org) verified.author_name = organization.name;
  }
  return verified;
}

// The record, or why the bundle may withhold it (its author did not disclose its quantities).
Status CheckRecordEntry(const nlohmann::json& bundle, const formats::BlockHeader& header,
                        const CertifiedResult& result, const Chain& chain, VerifiedExit& verified) {
  const nlohmann::json& entry = Member(bundle, "record");
  if (!entry.is_object()) return Fail("format", "bundle has no record entry");
  if (entry.contains("withheld")) {
    MBL_RETURN_IF_ERROR(Text(entry, "withheld").status());
    verified.record_withheld = kRecordWithheldReason;
    if (!Member(result.claim, "credit_grams").is_null()) {
      return Fail("record-missing",
                  "the exit's author disclosed its quantities, so the bundle must carry the "
                  "exit record, and it withholds it");
    }
    return Status::Ok();
  }
  MBL_ASSIGN_OR_RETURN(verified.record, CheckRecord(entry, header, result, chain));
  return Status::Ok();
}

// ---- 5. the certificate and the commit ----------------------------------------------------------

struct Certified {
  Shown block;
  std::size_t signers = 0;
  std::vector<Shown> shown;  // every certified block the bundle shows
};

Result<Certified> CheckQuorumCertificate(const nlohmann::json& bundle,
                                         const formats::BlockHeader& header, const Chain& chain) {
  MBL_ASSIGN_OR_RETURN(std::string certificate, HexField(Member(bundle, "block"), "certificate"));
  MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate qc, BlockQc(certificate));
  const EpochSet& set = chain.SetFor(header.height);
  MBL_RETURN_IF_ERROR(CheckQc(qc, chain, set));
  const consensus::VoteData& vote = qc.vote_data;
  if (vote.height != header.height || vote.execution.results_root != header.results_root ||
      vote.execution.state_root != header.state_root) {
    return Fail("certificate-mismatch",
                "the certificate does not certify this block's height and results");
  }
  Certified certified;
  certified.block = {vote.height, crypto::ToHex(vote.block_id)};
  certified.signers = qc.signatures.size();
  certified.shown.push_back(certified.block);
  // Committed, not only certified: QCs linking to a consecutive-round child (2-chain rule).
  const nlohmann::json& chain_entries = Member(bundle, "commit_chain");
  if (!chain_entries.is_array() || chain_entries.empty()) {
    return Fail("not-committed", "the bundle has no proof that the block was committed");
  }
  MBL_ASSIGN_OR_RETURN(bool committed,
                       CommitChainCommits(chain_entries, qc, chain, set, &certified.shown));
  if (!committed) return Fail("not-committed", "no consecutive-round child proves the commit");
  for (const char* key : {"tip", "known_block"}) {
    const nlohmann::json& entry = Member(bundle, key);
    if (entry.is_null()) continue;
    MBL_ASSIGN_OR_RETURN(std::string bytes, HexField(bundle, key));
    MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate shown, VerifiedStoredQc(bytes, chain));
    certified.shown.push_back({shown.vote_data.height, crypto::ToHex(shown.vote_data.block_id)});
  }
  return certified;
}

Result<Certified> CheckSingleValidatorCertificate(const nlohmann::json& bundle,
                                                  const formats::BlockHeader& header,
                                                  const Chain& chain) {
  MBL_ASSIGN_OR_RETURN(std::string signature, HexField(Member(bundle, "block"), "certificate"));
  Certified certified;
  MBL_ASSIGN_OR_RETURN(certified.block, VerifiedSignedHeader(header, signature, chain));
  certified.signers = 1;
  certified.shown.push_back(certified.block);
  for (const char* key : {"tip", "known_block"}) {
    const nlohmann::json& entry = Member(bundle, key);
    if (entry.is_null()) continue;
    MBL_ASSIGN_OR_RETURN(Shown shown, VerifiedHeaderObject(entry, chain));
    certified.shown.push_back(shown);
  }
  return certified;
}

// ---- 7. the checkpoint --------------------------------------------------------------------------

Status CheckAgainstCheckpoint(const std::vector<Shown>& shown, const ChainCheckpoint& kept) {
  std::uint64_t highest = 0;
  bool seen = false;
  for (const Shown& block : shown) {
    highest = std::max(highest, block.height);
    if (block.height != kept.height) continue;
    if (block.id_hex != kept.block_id) {
      return Fail("fork", "the node shows another block at height " + std::to_string(kept.height) +
                              " than the one verified before");
    }
    seen = true;
  }
  if (highest < kept.height) {
    return Fail("rollback", "the node shows no block above " + std::to_string(highest) +
                                " but block " + std::to_string(kept.height) +
                                " was verified committed before: it is behind or rolled back; "
                                "ask another node");
  }
  if (!seen) {
    return Fail("checkpoint-not-shown",
                "the node does not show its block at height " + std::to_string(kept.height) +
                    ", verified before, so it cannot be compared; ask again with "
                    "known_height=" +
                    std::to_string(kept.height) + " (or another node)");
  }
  return Status::Ok();
}

Checkpoints Updated(const Checkpoints& old, const Chain& chain, const Shown& block, Trust trust) {
  Checkpoints updated = old;
  if (updated.trusted_chain.empty()) updated.trusted_chain = chain.id_hex;
  ChainCheckpoint& entry = updated.chains[chain.id_hex];
  entry.validators = chain.sets.back().validators;
  if (entry.block_id.empty() || block.height > entry.height) {
    entry.height = block.height;
    entry.block_id = block.id_hex;
  }
  entry.pinned = entry.pinned || trust == Trust::kPinned;
  return updated;
}

}  // namespace

std::string_view TrustName(Trust trust) {
  switch (trust) {
    case Trust::kPinned:
      return "pinned";
    case Trust::kKnown:
      return "known";
    case Trust::kFirstUse:
      return "first-use";
    case Trust::kUnpinned:
      return "unpinned";
  }
  return "unpinned";
}

nlohmann::json CheckpointsToJson(const Checkpoints& checkpoints) {
  nlohmann::json chains = nlohmann::json::object();
  for (const auto& [id, entry] : checkpoints.chains) {
    chains[id] = {{"validators", entry.validators},
                  {"height", entry.height},
                  {"block_id", entry.block_id},
                  {"pinned", entry.pinned}};
  }
  return {{"format", kCheckpointFormat},
          {"trusted_chain", checkpoints.trusted_chain},
          {"chains", chains}};
}

Result<Checkpoints> CheckpointsFromJson(const nlohmann::json& json) {
  auto bad = [](const std::string& what) {
    return InvalidArgument("checkpoint file: " + what +
                           " (docs/formats.md \"Verifier checkpoint\")");
  };
  if (!json.is_object() || json.value("format", "") != kCheckpointFormat) {
    return bad("not a " + std::string(kCheckpointFormat) + " checkpoint");
  }
  Checkpoints checkpoints;
  if (!json.contains("trusted_chain") || !json["trusted_chain"].is_string()) {
    return bad("'trusted_chain' missing");
  }
  checkpoints.trusted_chain = json["trusted_chain"].get<std::string>();
  if (!json.contains("chains") || !json["chains"].is_object()) return bad("'chains' missing");
  for (const auto& [id, entry] : json["chains"].items()) {
    ChainCheckpoint chain;
    if (!entry.is_object() || !entry.contains("validators") || !entry["validators"].is_array() ||
        !entry.contains("height") || !entry["height"].is_number_unsigned() ||
        !entry.contains("block_id") || !entry["block_id"].is_string()) {
      return bad("chain " + id + " lacks validators, height or block_id");
    }
    for (const auto& key : entry["validators"]) {
      if (!key.is_string()) return bad("chain " + id + ": a validator is not a hex key");
      chain.validators.push_back(Lower(key.get<std::string>()));
    }
    chain.height = entry["height"].get<std::uint64_t>();
    chain.block_id = entry["block_id"].get<std::string>();
    chain.pinned = entry.value("pinned", false);
    checkpoints.chains[id] = std::move(chain);
  }
  return checkpoints;
}

std::optional<std::uint64_t> CheckpointHeightToAsk(const VerifyOptions& options) {
  if (!options.checkpoints) return std::nullopt;
  std::string chain = options.checkpoints->trusted_chain;
  if (options.pinned_chain_id) chain = Lower(*options.pinned_chain_id);
  if (options.pinned_genesis) {
    chain = crypto::ToHex(chaincode::ComputeRecordId(options.pinned_genesis->payload));
  }
  auto entry = options.checkpoints->chains.find(chain);
  if (entry == options.checkpoints->chains.end()) return std::nullopt;
  return entry->second.height;
}

Result<VerifiedExit> VerifyExitBundle(const nlohmann::json& bundle, const VerifyOptions& options) {
  MBL_ASSIGN_OR_RETURN(std::string format, Text(bundle, "format"));
  if (format != formats::kExitProofFormat) {
    return Fail("format", "not an exit proof bundle this verifier reads (format '" + format +
                              "', expected '" + std::string(formats::kExitProofFormat) + "')");
  }
  MBL_ASSIGN_OR_RETURN(Anchor anchor, CheckTrustAnchor(bundle, options));
  Chain& chain = anchor.chain;
  const ChainCheckpoint* kept = nullptr;
  if (options.checkpoints) {
    auto entry = options.checkpoints->chains.find(chain.id_hex);
    if (entry != options.checkpoints->chains.end()) kept = &entry->second;
  }
  MBL_RETURN_IF_ERROR(CheckValidatorSets(bundle, chain, kept));
  const std::size_t genesis_validators = chain.sets[0].keys.size();
  const std::string expected_kind(genesis_validators == 1 ? formats::kSingleValidatorCertificateKind
                                                          : formats::kQuorumCertificateKind);
  MBL_ASSIGN_OR_RETURN(std::string kind, Text(bundle, "certificate_kind"));
  if (kind != expected_kind) {
    return Fail("format", "certificate_kind is '" + kind + "' but the genesis names " +
                              std::to_string(genesis_validators) + " validators ('" +
                              expected_kind + "')");
  }
  MBL_ASSIGN_OR_RETURN(std::string header_bytes, HexField(Member(bundle, "block"), "header"));
  MBL_ASSIGN_OR_RETURN(formats::BlockHeader header, Header(header_bytes));
  VerifiedExit verified;
  MBL_ASSIGN_OR_RETURN(CertifiedResult result,
                       CheckResult(bundle, header, options.asked_exit_code));
  MBL_ASSIGN_OR_RETURN(Certified certified,
                       kind == formats::kQuorumCertificateKind
                           ? CheckQuorumCertificate(bundle, header, chain)
                           : CheckSingleValidatorCertificate(bundle, header, chain));
  MBL_RETURN_IF_ERROR(CheckRecordEntry(bundle, header, result, chain, verified));
  if (kept != nullptr) MBL_RETURN_IF_ERROR(CheckAgainstCheckpoint(certified.shown, *kept));
  verified.claim = std::move(result.claim);
  verified.chain_id = chain.id_hex;
  verified.certificate_kind = kind;
  verified.height = header.height;
  verified.signers = certified.signers;
  verified.validators = chain.SetFor(header.height).distinct;
  verified.validator_sets = chain.sets.size();
  verified.trust = anchor.trust;
  for (const GenesisOrganization& organization : chain.genesis.organizations) {
    verified.organization_names[organization.id] = organization.name;
  }
  if (options.checkpoints) {
    verified.checkpoints = Updated(*options.checkpoints, chain, certified.block, anchor.trust);
  }
  return verified;
}

}  // namespace mbl::tools
