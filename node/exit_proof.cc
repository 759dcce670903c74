#include "node/exit_proof.h"

#include "base/check.h"
#include "chaincode/epochs.h"
#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/record_json.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "crypto/merkle.h"
#include "formats/block.h"
#include "formats/exit_proof.h"
#include "formats/records_payload.h"
#include "node/epoch.h"

namespace mbl::node {

using formats::Block;
using formats::CommitProof;

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

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

// A JSON object written from members whose values are JSON text already (keys need no escapes).
class JsonObjectText {
 public:
  explicit JsonObjectText(std::size_t expected_bytes) { text_.reserve(expected_bytes); }
  void Add(std::string_view key, std::string_view value) {
    text_ += text_.empty() ? "{\"" : ",\"";
    text_ += key;
    text_ += "\":";
    text_ += value;
  }
  std::string Take() {
    text_ += text_.empty() ? "{}" : "}";
    return std::move(text_);
  }

 private:
  std::string text_;
};

// The QCs from the block after `height` on, until one proves the 2-chain commit (its round
// follows its parent's). Within the block's epoch they are the stored blocks' QCs; past the
// epoch's last block, its end proof (node/epoch.h); past the tip, the node's last commit QC.
// JSON text.
Result<std::string> CommitChain(const ExitProofInputs& inputs, std::uint64_t height,
                                const consensus::VoteData& certified) {
  std::string chain = "[";
  const std::uint64_t tip = inputs.store.tip().height;
  std::optional<std::uint64_t> end;  // the last block of the exit's epoch, if it ended
  std::size_t ended_epoch = 0;
  for (std::size_t n = 0; n < inputs.epoch_bases.size(); ++n) {
    if (inputs.epoch_bases[n] >= height) {
      end = inputs.epoch_bases[n];
      ended_epoch = n;  // epoch_bases[n] began epoch n + 1: it ends epoch n
      break;
    }
  }
  std::optional<CommitProof> end_proof;
  if (end) end_proof = GetEpochEnd(inputs.store, ended_epoch);
  consensus::VoteData previous = certified;
  for (std::uint64_t next = height + 1;; ++next) {
    consensus::VoteData vote;
    if (chain.size() > 1) chain += ",";
    if (next <= tip && (!end || next <= *end)) {
      MBL_ASSIGN_OR_RETURN(auto block, inputs.cache.Get(inputs.store, next));
      if (!block->certified) return DataLoss("block " + std::to_string(next) + " has no QC");
      vote = *block->certified;
      chain += Quoted(block->qc_hex);
    } else if (end && end_proof && next - *end < end_proof->size()) {
      const consensus::QuorumCertificate& qc = (*end_proof)[next - *end];
      vote = qc.vote_data;
      chain += Quoted(crypto::ToHex(consensus::EncodeQuorumCertificate(qc)));
    } else if (!end && next == tip + 1 && inputs.last_commit_qc &&
               inputs.last_commit_qc->vote_data.parent_id == previous.block_id) {
      vote = inputs.last_commit_qc->vote_data;
      chain += Quoted(crypto::ToHex(consensus::EncodeQuorumCertificate(*inputs.last_commit_qc)));
    } else {
      return Unavailable("the commit proof of block " + std::to_string(height) +
                         " is not available on this node yet; retry after the next block");
    }
    if (consensus::ProvesCommit(vote)) return chain + "]";
    previous = vote;
    if (next > tip + limits::kConsensusPendingBlocksMax) break;
  }
  return Unavailable("no commit proof for block " + std::to_string(height) + " on this node yet");
}

// How the bundle shows another block of this node: its QC (quorum) or its signed header.
Result<std::string> ShowBlock(const ExitProofInputs& inputs, std::uint64_t height, bool quorum) {
  MBL_ASSIGN_OR_RETURN(auto block, inputs.cache.Get(inputs.store, height));
  if (!quorum) return block->block_json;
  if (block->qc_hex.empty()) return DataLoss("block " + std::to_string(height) + " has no QC");
  return Quoted(block->qc_hex);
}

// The exit record and its path in the records root, or why it is withheld.
nlohmann::json RecordEntry(const chaincode::SignedRecord& record, bool disclosed,
                           std::uint32_t index, const MerkleLevels& records) {
  if (!disclosed) return {{"withheld", kRecordWithheld}};
  return {{"envelope", chaincode::EnvelopeToJson(record)},
          {"index", index},
          {"tree_size", records.size()},
          {"path", Hex(records.InclusionProof(index))}};
}

// The bundle entries of each exit record of a block, serialized once.
std::map<std::uint32_t, ProofBlock::Exit> ExitEntries(const Block& block,
                                                      const std::vector<std::string>& results,
                                                      const MerkleLevels& record_tree,
                                                      const MerkleLevels& result_tree) {
  std::map<std::uint32_t, ProofBlock::Exit> exits;
  for (std::uint32_t i = 0; i < block.records.size(); ++i) {
    v1::Record payload;
    if (!payload.ParseFromString(block.records[i].payload) || !payload.has_system_exit()) continue;
    nlohmann::json result = {{"leaf", crypto::ToHex(results[i])},
                             {"index", i},
                             {"tree_size", result_tree.size()},
                             {"path", Hex(result_tree.InclusionProof(i))}};
    const bool disclosed = payload.system_exit().disclose_quantities();
    exits.emplace(
        i, ProofBlock::Exit{result.dump(),
                            RecordEntry(block.records[i], disclosed, i, record_tree).dump()});
  }
  return exits;
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
  std::vector<std::string> results;
  for (std::uint32_t i = 0; i < block.header.record_count; ++i) {
    record_leaves.push_back(crypto::MerkleLeafHash(chaincode::EncodeEnvelope(block.records[i])));
    MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result, store.GetResult(height, i));
    results.push_back(chaincode::EncodeRecordResult(result));
    result_leaves.push_back(crypto::MerkleLeafHash(results.back()));
  }
  auto loaded = std::make_shared<ProofBlock>(ProofBlock{block.header,
                                                        block.certificate,
                                                        MerkleLevels(std::move(record_leaves)),
                                                        MerkleLevels(std::move(result_leaves)),
                                                        "",
                                                        "",
                                                        std::nullopt,
                                                        {},
                                                        0});
  // Pair assertion: what the store holds is what the header commits to.
  if (loaded->records.root() != loaded->header.records_root ||
      loaded->results.root() != loaded->header.results_root) {
    return DataLoss("block " + std::to_string(height) +
                    ": its records or results do not match its header's roots");
  }
  loaded->block_json =
      nlohmann::json{{"header", crypto::ToHex(formats::EncodeHeader(block.header))},
                     {"certificate", crypto::ToHex(block.certificate)}}
          .dump();
  if (auto certificate = formats::DecodeBftCertificate(block.certificate); certificate.ok()) {
    loaded->qc_hex = crypto::ToHex(consensus::EncodeQuorumCertificate(certificate->qc));
    loaded->certified = certificate->qc.vote_data;
  }
  loaded->exits = ExitEntries(block, results, loaded->records, loaded->results);
  loaded->bytes = sizeof(ProofBlock) + loaded->block_json.size() + loaded->qc_hex.size() +
                  4 * loaded->records.size() * sizeof(crypto::Hash256);  // two trees, ~2n each
  for (const auto& [index, exit] : loaded->exits) {
    loaded->bytes += exit.result_json.size() + exit.record_json.size();
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

Result<std::string> BuildExitProof(const ExitProofInputs& inputs,
                                   const chaincode::RecordId& record_id,
                                   const std::string& exit_code) {
  auto location = inputs.store.FindRecord(record_id);
  if (!location) return NotFound("the exit record is not stored on this node");
  MBL_ASSIGN_OR_RETURN(auto block, inputs.cache.Get(inputs.store, location->height));
  auto exit = block->exits.find(location->index);
  if (exit == block->exits.end()) {
    return DataLoss("record " + std::to_string(location->index) + " of block " +
                    std::to_string(location->height) + " is not a system exit record");
  }
  const bool quorum = inputs.quorum;
  // Keys in the order nlohmann::json writes them (sorted), values already JSON text.
  JsonObjectText bundle(inputs.genesis_json.size() + 4 * exit->second.result_json.size() +
                        4 * block->block_json.size());
  bundle.Add("block", block->block_json);
  bundle.Add("certificate_kind",
             Quoted(std::string(quorum ? formats::kQuorumCertificateKind
                                       : formats::kSingleValidatorCertificateKind)));
  bundle.Add("chain_id", Quoted(inputs.chain_id));
  if (quorum) {
    if (!block->certified) return DataLoss("the exit's block has no QC");
    MBL_ASSIGN_OR_RETURN(std::string chain,
                         CommitChain(inputs, location->height, *block->certified));
    bundle.Add("commit_chain", chain);
  }
  bundle.Add("exit_code", Quoted(exit_code));
  bundle.Add("format", Quoted(std::string(formats::kExitProofFormat)));
  bundle.Add("genesis", inputs.genesis_json);
  // The block the verifier asked to see (when the node has it; a node without it is behind or
  // rolled back, which the verifier then says), and the node's latest committed block.
  const std::uint64_t tip = inputs.store.tip().height;
  if (inputs.known_height && *inputs.known_height > 0 && *inputs.known_height <= tip) {
    MBL_ASSIGN_OR_RETURN(std::string known, ShowBlock(inputs, *inputs.known_height, quorum));
    bundle.Add("known_block", known);
  }
  bundle.Add("record", exit->second.record_json);
  bundle.Add("result", exit->second.result_json);
  MBL_ASSIGN_OR_RETURN(std::string shown_tip, ShowBlock(inputs, tip, quorum));
  bundle.Add("tip", shown_tip);
  bundle.Add("validator_sets", inputs.validator_sets_json);
  return bundle.Take();
}

Result<std::string> ValidatorSetsJson(const Store& store, ExitProofCache& cache,
                                      const std::vector<std::string>& genesis_validators,
                                      std::vector<std::uint64_t>& epoch_bases) {
  nlohmann::json sets = nlohmann::json::array(
      {{{"from_height", 0}, {"validators", genesis_validators}, {"established_by", "genesis"}}});
  epoch_bases.clear();
  auto snapshot = store.Snapshot();
  for (const chaincode::EpochInfo& epoch : chaincode::StoredEpochs(*snapshot)) {
    const std::string where = "validator set " + std::to_string(epoch.number);
    MBL_ASSIGN_OR_RETURN(auto block, cache.Get(store, epoch.base_height));
    std::optional<CommitProof> end_proof = GetEpochEnd(store, epoch.number - 1);
    if (!end_proof) return DataLoss(where + ": the end proof of the epoch before is missing");
    // The change's result: the record of the block whose result started this epoch.
    std::optional<std::uint32_t> index;
    std::string leaf;
    for (std::uint32_t i = 0; i < block->header.record_count && !index; ++i) {
      MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result, store.GetResult(epoch.base_height, i));
      auto details = nlohmann::json::parse(result.details_json, nullptr, false);
      if (result.accepted && details.is_object() && details.contains("epoch") &&
          details["epoch"] == epoch.number) {
        index = i;
        leaf = chaincode::EncodeRecordResult(result);
      }
    }
    if (!index) return DataLoss(where + ": no record of its block established it");
    nlohmann::json chain = nlohmann::json::array();
    for (std::size_t i = 1; i < end_proof->size(); ++i) {
      chain.push_back(crypto::ToHex(consensus::EncodeQuorumCertificate((*end_proof)[i])));
    }
    nlohmann::json established = {{"block", nlohmann::json::parse(block->block_json)},
                                  {"result",
                                   {{"leaf", crypto::ToHex(leaf)},
                                    {"index", *index},
                                    {"tree_size", block->results.size()},
                                    {"path", Hex(block->results.InclusionProof(*index))}}},
                                  {"commit_chain", chain}};
    sets.push_back({{"epoch", epoch.number},
                    {"from_height", epoch.base_height + 1},
                    {"validators", epoch.validators},
                    {"established_by", established}});
    epoch_bases.push_back(epoch.base_height);
  }
  return sets.dump();
}

}  // namespace mbl::node
