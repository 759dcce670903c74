#include "node/exit_proof.h"

#include "base/check.h"
#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/record_json.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "node/block.h"
#include "node/records_payload.h"

namespace mbl::node {
namespace {

// What a consumer's verifier is told when the exit record itself is not in the bundle.
constexpr const char* kRecordWithheld =
    "the exit's author did not disclose its quantities (DOMAIN §6, Q4), and its signed record "
    "holds them, so the record is not published; its certified result is";

nlohmann::json Hex(const std::vector<crypto::Hash256>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& hash : hashes) out.push_back(crypto::ToHex(hash));
  return out;
}

Result<consensus::QuorumCertificate> BlockQc(const ProofBlock& block) {
  MBL_ASSIGN_OR_RETURN(BftCertificate certificate, DecodeBftCertificate(block.certificate));
  return std::move(certificate.qc);
}

// The QCs from the block after `height` on, until one proves the 2-chain commit (its round
// follows its parent's); the node's last commit QC closes the chain at the tip.
Result<nlohmann::json> CommitChain(const ExitProofInputs& inputs, std::uint64_t height,
                                   const consensus::VoteData& certified) {
  nlohmann::json chain = nlohmann::json::array();
  const std::uint64_t tip = inputs.store.tip().height;
  consensus::VoteData previous = certified;
  for (std::uint64_t next = height + 1; next <= tip + 1; ++next) {
    consensus::QuorumCertificate qc;
    if (next <= tip) {
      MBL_ASSIGN_OR_RETURN(auto block, inputs.cache.Get(inputs.store, next));
      MBL_ASSIGN_OR_RETURN(qc, BlockQc(*block));
    } else if (inputs.last_commit_qc &&
               inputs.last_commit_qc->vote_data.parent_id == previous.block_id) {
      qc = *inputs.last_commit_qc;
    } else {
      return Unavailable("the commit proof of block " + std::to_string(height) +
                         " is not available on this node yet; retry after the next block");
    }
    chain.push_back(crypto::ToHex(consensus::EncodeQuorumCertificate(qc)));
    if (qc.vote_data.round == qc.vote_data.parent_round + 1) return chain;
    previous = qc.vote_data;
  }
  return Unavailable("no commit proof for block " + std::to_string(height) + " on this node yet");
}

// How the bundle shows another block of this node: its QC (quorum) or its signed header.
Result<nlohmann::json> ShowBlock(const ExitProofInputs& inputs, std::uint64_t height, bool quorum) {
  MBL_ASSIGN_OR_RETURN(auto block, inputs.cache.Get(inputs.store, height));
  if (!quorum) {
    return nlohmann::json{{"header", crypto::ToHex(EncodeHeader(block->header))},
                          {"certificate", crypto::ToHex(block->certificate)}};
  }
  MBL_ASSIGN_OR_RETURN(auto qc, BlockQc(*block));
  return nlohmann::json(crypto::ToHex(consensus::EncodeQuorumCertificate(qc)));
}

// The exit record and its path in the records root, or why it is withheld.
Result<nlohmann::json> RecordEntry(const ProofBlock& block, std::uint32_t index) {
  auto record = block.exit_records.find(index);
  if (record == block.exit_records.end()) {
    return DataLoss("record " + std::to_string(index) + " of block " +
                    std::to_string(block.header.height) + " is not a system exit record");
  }
  v1::Record payload;
  if (!payload.ParseFromString(record->second.payload)) {
    return DataLoss("the stored exit record does not parse");
  }
  if (!payload.system_exit().disclose_quantities())
    return nlohmann::json{{"withheld", kRecordWithheld}};
  return nlohmann::json{{"envelope", chaincode::EnvelopeToJson(record->second)},
                        {"index", index},
                        {"tree_size", block.records.size()},
                        {"path", Hex(block.records.InclusionProof(index))}};
}

}  // namespace

MerkleLevels::MerkleLevels(std::vector<crypto::Hash256> leaf_hashes) {
  levels_.push_back(std::move(leaf_hashes));
  while (levels_.back().size() > 1) {
    const std::vector<crypto::Hash256>& below = levels_.back();
    std::vector<crypto::Hash256> above;
    above.reserve((below.size() + 1) / 2);
    for (std::size_t i = 0; i + 1 < below.size(); i += 2) {
      above.push_back(crypto::MerkleNodeHash(below[i], below[i + 1]));
    }
    if (below.size() % 2 == 1) above.push_back(below.back());
    levels_.push_back(std::move(above));
  }
}

crypto::Hash256 MerkleLevels::root() const {
  if (levels_.front().empty()) return crypto::MerkleRoot({});
  return levels_.back().front();
}

std::vector<crypto::Hash256> MerkleLevels::InclusionProof(std::uint64_t index) const {
  MBL_CHECK_LT(index, size());
  std::vector<crypto::Hash256> path;
  for (std::size_t level = 0; level + 1 < levels_.size(); ++level) {
    const std::uint64_t sibling = index ^ 1;
    if (sibling < levels_[level].size()) path.push_back(levels_[level][sibling]);
    index /= 2;
  }
  return path;
}

Result<std::shared_ptr<const ProofBlock>> LoadProofBlock(const Store& store, std::uint64_t height) {
  MBL_ASSIGN_OR_RETURN(Block block, store.GetBlock(height));
  std::vector<crypto::Hash256> record_leaves, result_leaves;
  std::map<std::uint32_t, chaincode::SignedRecord> exits;
  std::map<std::uint32_t, std::string> exit_results;
  std::size_t bytes = sizeof(ProofBlock) + block.certificate.size();
  for (std::uint32_t i = 0; i < block.header.record_count; ++i) {
    const chaincode::SignedRecord& record = block.records[i];
    record_leaves.push_back(crypto::MerkleLeafHash(chaincode::EncodeEnvelope(record)));
    MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result, store.GetResult(height, i));
    std::string result_bytes = chaincode::EncodeRecordResult(result);
    result_leaves.push_back(crypto::MerkleLeafHash(result_bytes));
    v1::Record payload;
    if (payload.ParseFromString(record.payload) && payload.has_system_exit()) {
      bytes += record.payload.size() + result_bytes.size();
      exits.emplace(i, record);
      exit_results.emplace(i, std::move(result_bytes));
    }
  }
  bytes += 4 * record_leaves.size() * sizeof(crypto::Hash256);  // two trees, about 2n each
  auto loaded = std::make_shared<ProofBlock>(ProofBlock{
      block.header, std::move(block.certificate), MerkleLevels(std::move(record_leaves)),
      MerkleLevels(std::move(result_leaves)), std::move(exits), std::move(exit_results), bytes});
  // Pair assertion: what the store holds is what the header commits to.
  if (loaded->records.root() != loaded->header.records_root ||
      loaded->results.root() != loaded->header.results_root) {
    return DataLoss("block " + std::to_string(height) +
                    ": its records or results do not match its header's roots");
  }
  return std::shared_ptr<const ProofBlock>(std::move(loaded));
}

ExitProofCache::ExitProofCache(std::size_t blocks_max, std::size_t bytes_max)
    : blocks_max_(blocks_max), bytes_max_(bytes_max) {
  MBL_CHECK_GT(blocks_max_, 0u);
}

Result<std::shared_ptr<const ProofBlock>> ExitProofCache::Get(const Store& store,
                                                              std::uint64_t height) {
  {
    std::lock_guard lock(mutex_);
    auto entry = entries_.find(height);
    if (entry != entries_.end()) {
      entry->second.last_use = ++uses_;
      return entry->second.block;
    }
  }
  // Read outside the lock: two readers may load the same block once each; both are correct.
  MBL_ASSIGN_OR_RETURN(auto block, LoadProofBlock(store, height));
  Insert(height, block);
  return block;
}

void ExitProofCache::Insert(std::uint64_t height, std::shared_ptr<const ProofBlock> block) {
  std::lock_guard lock(mutex_);
  if (block->bytes > bytes_max_ || entries_.contains(height)) return;
  while (!entries_.empty() &&
         (entries_.size() >= blocks_max_ || bytes_ + block->bytes > bytes_max_)) {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.last_use < oldest->second.last_use) oldest = it;
    }
    bytes_ -= oldest->second.block->bytes;
    entries_.erase(oldest);
  }
  bytes_ += block->bytes;
  entries_.emplace(height, Entry{std::move(block), ++uses_});
}

std::size_t ExitProofCache::blocks() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t ExitProofCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

Result<nlohmann::json> BuildExitProof(const ExitProofInputs& inputs,
                                      const chaincode::RecordId& record_id,
                                      const std::string& exit_code) {
  auto location = inputs.store.FindRecord(record_id);
  if (!location) return NotFound("the exit record is not stored on this node");
  MBL_ASSIGN_OR_RETURN(auto block, inputs.cache.Get(inputs.store, location->height));
  auto result = block->exit_results.find(location->index);
  if (result == block->exit_results.end()) {
    return DataLoss("record " + std::to_string(location->index) + " of block " +
                    std::to_string(location->height) + " is not a system exit record");
  }
  MBL_ASSIGN_OR_RETURN(nlohmann::json record, RecordEntry(*block, location->index));
  const bool quorum = inputs.validators.size() > 1;
  nlohmann::json bundle = {
      {"format", kExitProofFormat},
      {"exit_code", exit_code},
      {"chain_id", inputs.chain_id},
      {"genesis", inputs.genesis},
      {"validator_sets", nlohmann::json::array({{{"from_height", 0},
                                                 {"validators", Hex(inputs.validators)},
                                                 {"established_by", "genesis"}}})},
      {"certificate_kind", quorum ? "quorum" : "single-validator"},
      {"block",
       {{"header", crypto::ToHex(EncodeHeader(block->header))},
        {"certificate", crypto::ToHex(block->certificate)}}},
      {"result",
       {{"leaf", crypto::ToHex(result->second)},
        {"index", location->index},
        {"tree_size", block->results.size()},
        {"path", Hex(block->results.InclusionProof(location->index))}}},
      {"record", std::move(record)}};
  const std::uint64_t tip = inputs.store.tip().height;
  if (quorum) {
    MBL_ASSIGN_OR_RETURN(auto qc, BlockQc(*block));
    MBL_ASSIGN_OR_RETURN(bundle["commit_chain"],
                         CommitChain(inputs, location->height, qc.vote_data));
  }
  // The node's latest committed block, and the block the verifier asked to see (when the node
  // has it; a node without it is behind or rolled back, which the verifier then says).
  MBL_ASSIGN_OR_RETURN(bundle["tip"], ShowBlock(inputs, tip, quorum));
  if (inputs.known_height && *inputs.known_height > 0 && *inputs.known_height <= tip) {
    MBL_ASSIGN_OR_RETURN(bundle["known_block"], ShowBlock(inputs, *inputs.known_height, quorum));
  }
  return bundle;
}

}  // namespace mbl::node
