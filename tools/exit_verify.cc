#include "tools/exit_verify.h"

#include <set>

#include "chaincode/credits/exit_code.h"
#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/record_json.h"
#include "chaincode/registry.h"
#include "consensus/certificates.h"
#include "consensus/codec.h"
#include "consensus/core.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "node/block.h"
#include "node/exit_proof.h"
#include "node/records_payload.h"
#include "node/store.h"

namespace mbl::tools {
namespace {

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
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned()) {
    return Fail("format", std::string("bundle field '") + key + "' is missing or not a number");
  }
  return object[key].get<std::uint64_t>();
}

// The validator set a genesis establishes, in the order every node indexes it.
Result<std::vector<crypto::PublicKey>> GenesisValidators(const chaincode::SignedRecord& genesis) {
  v1::Record record;
  if (!record.ParseFromString(genesis.payload) || !record.has_genesis()) {
    return Fail("wrong-genesis", "the genesis envelope does not hold a genesis record");
  }
  chaincode::MemoryState state;
  chaincode::BlockExecution execution = chaincode::ExecuteBlock(
      {genesis}, state, {0, record.genesis().genesis_time_ms()}, crypto::Hash256{});
  if (!execution.results[0].accepted) {
    return Fail("wrong-genesis",
                "the genesis record is not valid: " + execution.results[0].rejection.message);
  }
  state.Apply(execution.writes);
  std::vector<crypto::PublicKey> keys;
  for (const auto& validator : chaincode::GetValidators(state)) {
    MBL_ASSIGN_OR_RETURN(auto key, crypto::FixedFromHex<32>(validator.public_key(), "validator"));
    keys.push_back(key);
  }
  return keys;
}

// Classifies the signer list of encoded QC bytes before decoding, so that each way a certificate
// can be short of a quorum gets its own reason.
Status CheckSigners(std::string_view qc_bytes, std::size_t validators, std::size_t quorum) {
  constexpr std::size_t kVoteDataBytes = 152;
  constexpr std::size_t kSignatureEntryBytes = 4 + 64;
  if (qc_bytes.size() < kVoteDataBytes + 4) return Fail("format", "quorum certificate truncated");
  auto u32 = [&](std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i)
      value = (value << 8) | static_cast<std::uint8_t>(qc_bytes[at + i]);
    return value;
  };
  const std::uint32_t count = u32(kVoteDataBytes);
  if (qc_bytes.size() != kVoteDataBytes + 4 + std::size_t{count} * kSignatureEntryBytes) {
    return Fail("format", "quorum certificate has the wrong length for its signatures");
  }
  std::set<std::uint32_t> seen;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t signer = u32(kVoteDataBytes + 4 + i * kSignatureEntryBytes);
    if (signer >= validators) {
      return Fail("non-validator-signer", "a signature claims validator " + std::to_string(signer) +
                                              " of " + std::to_string(validators));
    }
    if (!seen.insert(signer).second) {
      return Fail("duplicate-signer", "validator " + std::to_string(signer) + " is counted twice");
    }
  }
  if (seen.size() < quorum) {
    return Fail("too-few-signatures", std::to_string(seen.size()) + " validators signed, " +
                                          std::to_string(quorum) + " needed");
  }
  return Status::Ok();
}

Result<consensus::QuorumCertificate> VerifiedQc(std::string_view bytes,
                                                consensus::CertificateVerifier& verifier,
                                                const consensus::ValidatorSet& validators) {
  MBL_RETURN_IF_ERROR(CheckSigners(bytes, validators.size(), validators.quorum()));
  auto qc = consensus::DecodeQuorumCertificate(bytes);
  if (!qc.ok()) return Fail("format", "quorum certificate: " + qc.status().message());
  if (Status status = verifier.VerifyQc(*qc); !status.ok()) {
    return Fail("bad-signature", status.message());
  }
  return *qc;
}

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

}  // namespace

nlohmann::json CheckpointToJson(const Checkpoint& checkpoint) {
  return {{"chain_id", checkpoint.chain_id},
          {"height", checkpoint.height},
          {"block_id", checkpoint.block_id}};
}

Result<Checkpoint> CheckpointFromJson(const nlohmann::json& json) {
  Checkpoint checkpoint;
  MBL_ASSIGN_OR_RETURN(checkpoint.chain_id, Text(json, "chain_id"));
  MBL_ASSIGN_OR_RETURN(checkpoint.height, Number(json, "height"));
  MBL_ASSIGN_OR_RETURN(checkpoint.block_id, Text(json, "block_id"));
  return checkpoint;
}

Result<VerifiedExit> VerifyExitBundle(const nlohmann::json& bundle,
                                      const std::optional<chaincode::SignedRecord>& pinned_genesis,
                                      const std::optional<Checkpoint>& checkpoint) {
  MBL_ASSIGN_OR_RETURN(std::string format, Text(bundle, "format"));
  if (format != node::kExitProofFormat) {
    return Fail("format", "not an exit proof bundle (format '" + format + "')");
  }
  // 1. The genesis: the one trust anchor.
  if (!bundle.contains("genesis")) return Fail("format", "bundle has no genesis");
  auto genesis = chaincode::EnvelopeFromJson(bundle["genesis"]);
  if (!genesis.ok()) return Fail("format", "bundle genesis: " + genesis.status().message());
  if (!chaincode::VerifyEnvelope(*genesis).ok()) {
    return Fail("wrong-genesis", "the genesis signature does not verify");
  }
  if (pinned_genesis && pinned_genesis->payload != genesis->payload) {
    return Fail("wrong-genesis", "the bundle's genesis is not the genesis you trust");
  }
  const crypto::Hash256 chain_id = chaincode::ComputeRecordId(genesis->payload);
  MBL_ASSIGN_OR_RETURN(std::string claimed_chain, Text(bundle, "chain_id"));
  if (claimed_chain != crypto::ToHex(chain_id)) {
    return Fail("wrong-genesis", "the bundle's chain id is not its genesis's");
  }
  // 2. The validator set: the genesis's, and no change without a certificate.
  MBL_ASSIGN_OR_RETURN(std::vector<crypto::PublicKey> keys, GenesisValidators(*genesis));
  const nlohmann::json& sets = bundle.value("validator_sets", nlohmann::json());
  if (!sets.is_array() || sets.empty()) return Fail("format", "bundle has no validator sets");
  nlohmann::json expected = nlohmann::json::array();
  for (const auto& key : keys) expected.push_back(crypto::ToHex(key));
  if (sets[0].value("validators", nlohmann::json()) != expected) {
    return Fail("validator-set", "the bundle's validator set is not the one of its genesis");
  }
  if (sets.size() > 1) {
    return Fail("uncertified-validator-set-change",
                "the bundle changes the validator set at height " +
                    sets[1].value("from_height", nlohmann::json()).dump() +
                    " without a certificate this ledger can issue (the set is fixed per chain)");
  }
  MBL_ASSIGN_OR_RETURN(auto validators, consensus::ValidatorSet::Create(keys));
  // 3. The result leaf and its path to the block's results root.
  if (!bundle.contains("result") || !bundle.contains("block")) {
    return Fail("format", "bundle has no result or block");
  }
  const nlohmann::json& result = bundle["result"];
  MBL_ASSIGN_OR_RETURN(std::string leaf, HexField(result, "leaf"));
  MBL_ASSIGN_OR_RETURN(std::uint64_t index, Number(result, "index"));
  MBL_ASSIGN_OR_RETURN(std::string header_bytes, HexField(bundle["block"], "header"));
  auto header = node::DecodeHeader(header_bytes);
  if (!header.ok()) return Fail("format", "block header: " + header.status().message());
  auto decoded = node::DecodeRecordResult(leaf);
  if (!decoded.ok()) return Fail("format", "result: " + decoded.status().message());
  if (!decoded->accepted) return Fail("rejected-record", "the exit record was rejected");
  nlohmann::json claim = nlohmann::json::parse(decoded->details_json, nullptr, false);
  MBL_ASSIGN_OR_RETURN(std::string code, Text(bundle, "exit_code"));
  auto canonical = chaincode::NormalizeExitCode(code);
  if (!canonical.ok() || !claim.is_object() || claim.value("exit_code", "") != *canonical) {
    return Fail("exit-code-mismatch", "the certified result is not the one of exit code " + code);
  }
  std::vector<crypto::Hash256> path;
  if (!result.contains("path") || !result["path"].is_array()) {
    return Fail("format", "result path missing");
  }
  for (const auto& step : result["path"]) {
    if (!step.is_string()) return Fail("format", "result path entry is not hex");
    auto hash = crypto::FixedFromHex<32>(step.get<std::string>(), "path");
    if (!hash.ok()) return Fail("format", "result path entry is not a hash");
    path.push_back(*hash);
  }
  const std::size_t path_length = AuditPathLength(index, header->record_count);
  if (index >= header->record_count || path.size() != path_length) {
    return Fail("wrong-path", "an audit path for leaf " + std::to_string(index) + " of " +
                                  std::to_string(header->record_count) + " has " +
                                  std::to_string(path_length) + " hashes; this one has " +
                                  std::to_string(path.size()));
  }
  if (!crypto::VerifyMerkleInclusion(crypto::MerkleLeafHash(leaf), index, header->record_count,
                                     path, header->results_root)) {
    return Fail("result-not-in-block",
                "the result (as given) is not in the block's results root: altered, or another "
                "block's");
  }
  // 4. The certificate: a quorum of validators signed this block's execution results.
  MBL_ASSIGN_OR_RETURN(std::string certificate_bytes, HexField(bundle["block"], "certificate"));
  constexpr std::size_t kCertificateHeadBytes = 1 + 8 + 4;  // version, round, author
  if (certificate_bytes.size() < kCertificateHeadBytes ||
      static_cast<std::uint8_t>(certificate_bytes[0]) != node::kBftCertificateVersion) {
    return Fail("format", "the block certificate is not a quorum certificate");
  }
  // The genesis QC (no signatures) is accepted by the verifier only for height 0, which the
  // height check below refuses.
  consensus::CertificateVerifier verifier(
      validators, chain_id, consensus::MakeGenesisQc(consensus::MakeGenesisBlock({0, {}})));
  const std::string qc_bytes = certificate_bytes.substr(kCertificateHeadBytes);
  MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate qc, VerifiedQc(qc_bytes, verifier, validators));
  const consensus::VoteData& certified = qc.vote_data;
  if (certified.height != header->height || certified.height == 0 ||
      certified.execution.results_root != header->results_root ||
      certified.execution.state_root != header->state_root) {
    return Fail("certificate-mismatch",
                "the certificate does not certify this block's height and results");
  }
  // 5. Committed, not only certified: QCs linking to a consecutive-round child (2-chain rule).
  const nlohmann::json& chain = bundle.value("commit_chain", nlohmann::json());
  if (!chain.is_array() || chain.empty()) {
    return Fail("not-committed", "the bundle has no proof that the block was committed");
  }
  consensus::VoteData previous = certified;
  std::vector<consensus::VoteData> shown = {certified};  // every certified block the bundle shows
  bool committed = false;
  for (const auto& entry : chain) {
    if (!entry.is_string()) return Fail("format", "commit chain entry is not hex");
    auto bytes = crypto::FromHex(entry.get<std::string>());
    if (!bytes.ok()) return Fail("format", "commit chain entry is not hex");
    MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate next,
                         VerifiedQc(*bytes, verifier, validators));
    if (next.vote_data.parent_id != previous.block_id ||
        next.vote_data.height != previous.height + 1) {
      return Fail("forked-chain",
                  "commit chain does not extend block " + std::to_string(previous.height));
    }
    previous = next.vote_data;
    shown.push_back(previous);
    if (next.vote_data.round == next.vote_data.parent_round + 1) {
      committed = true;
      break;
    }
  }
  if (!committed) return Fail("not-committed", "no consecutive-round child proves the commit");
  // 6. The serving node's tip against what this verifier saw before.
  VerifiedExit verified;
  verified.claim = std::move(claim);
  verified.chain_id = crypto::ToHex(chain_id);
  verified.height = header->height;
  verified.signers = qc.signatures.size();
  verified.validators = validators.size();
  if (bundle.contains("tip")) {
    auto tip_bytes = crypto::FromHex(bundle.value("tip", ""));
    if (!tip_bytes.ok()) return Fail("format", "tip is not hex");
    MBL_ASSIGN_OR_RETURN(consensus::QuorumCertificate tip,
                         VerifiedQc(*tip_bytes, verifier, validators));
    shown.push_back(tip.vote_data);
  }
  // The checkpoint is the highest committed block verified so far (an exit record's block). A
  // node showing nothing as high lacks a block known to be committed: behind, or rolled back.
  // One showing another block at that height forked.
  Checkpoint latest{verified.chain_id, certified.height, crypto::ToHex(certified.block_id)};
  if (checkpoint && checkpoint->chain_id == verified.chain_id) {
    std::uint64_t highest = 0;
    for (const auto& vote : shown) {
      highest = std::max(highest, vote.height);
      if (vote.height == checkpoint->height &&
          crypto::ToHex(vote.block_id) != checkpoint->block_id) {
        return Fail("fork", "the node shows another block at height " +
                                std::to_string(vote.height) + " than the one verified before");
      }
    }
    if (highest < checkpoint->height) {
      return Fail("rollback", "the node shows no block above " + std::to_string(highest) +
                                  " but block " + std::to_string(checkpoint->height) +
                                  " was verified committed before: it is behind or rolled back; "
                                  "ask another node");
    }
    if (checkpoint->height > latest.height) latest = *checkpoint;
  }
  verified.checkpoint = latest;
  return verified;
}

}  // namespace mbl::tools
