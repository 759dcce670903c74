#include "node/bft_host.h"

#include <algorithm>
#include <deque>

#include "base/check.h"
#include "base/limits.h"
#include "chaincode/epochs.h"
#include "consensus/codec.h"
#include "consensus/core.h"
#include "crypto/encoding.h"
#include "formats/epoch.h"
#include "formats/records_payload.h"
#include "node/log.h"

namespace mbl::node {

using formats::BlockHeader;
using formats::DecodeRecordsPayload;
using formats::EncodeRecordsPayload;

namespace {

std::string Text(std::uint64_t value) { return std::to_string(value); }

}  // namespace

BftHost::BftHost(Store& store, Mempool& mempool, Committer& committer, BftHostOptions options)
    : store_(store), mempool_(mempool), committer_(committer), options_(std::move(options)) {
  auto root = ReadCommitted(store_.tip().height);
  MBL_CHECK_MSG(root.has_value(), "the committed tip at height " + Text(store_.tip().height) +
                                      " has no readable BFT certificate");
  committed_id_ = root->block.id;
}

std::optional<consensus::CommittedBlock> BftHost::ReadCommitted(consensus::Height height) {
  const consensus::Height root_height = options_.root.height;
  const consensus::Block root = consensus::MakeGenesisBlock(options_.root);
  if (height == root_height) return consensus::CommittedBlock{root, consensus::MakeGenesisQc(root)};
  // Blocks of earlier epochs are not this consensus instance's (node/epoch.h serves them).
  if (height < root_height || store_.tip().empty || height > store_.tip().height) {
    return std::nullopt;
  }
  auto stored = store_.GetBlock(height);
  if (!stored.ok()) return std::nullopt;
  consensus::QuorumCertificate parent_qc = consensus::MakeGenesisQc(root);
  if (height > root_height + 1) {
    auto parent = store_.GetBlock(height - 1);
    if (!parent.ok()) return std::nullopt;
    auto parent_certificate = formats::DecodeBftCertificate(parent->certificate);
    if (!parent_certificate.ok()) return std::nullopt;
    parent_qc = parent_certificate->qc;
  }
  auto block = formats::ToConsensusBlock(*stored, parent_qc);
  if (!block.ok()) {
    Log(LogLevel::kError, "stored_block_mismatch",
        {{"height", height}, {"detail", block.status().ToString()}});
    return std::nullopt;
  }
  return std::move(*block);
}

Result<std::vector<const BftHost::Speculative*>> BftHost::UncommittedChain(
    const consensus::BlockId& id) const {
  std::vector<const Speculative*> chain;
  consensus::BlockId cursor = id;
  while (cursor != committed_id_) {
    auto it = speculative_.find(cursor);
    if (it == speculative_.end() || chain.size() > limits::kConsensusPendingBlocksMax) {
      return FailedPrecondition("block " + crypto::ToHex(cursor) +
                                " does not extend the committed chain on this node");
    }
    chain.push_back(&it->second);
    cursor = it->second.parent_id;
  }
  return chain;
}

std::set<chaincode::RecordId> BftHost::RecordIdsIn(
    const std::vector<const Speculative*>& chain) const {
  std::set<chaincode::RecordId> ids;
  for (const Speculative* block : chain) {
    for (const auto& result : block->execution.results) ids.insert(result.record_id);
  }
  return ids;
}

bool BftHost::EndsEpoch(const std::vector<const Speculative*>& chain) {
  return std::any_of(chain.begin(), chain.end(),
                     [](const Speculative* block) { return block->starts_epoch; });
}

Result<consensus::ExecutionResult> BftHost::Execute(const consensus::Block& block,
                                                    const consensus::ExecutionResult& parent) {
  MBL_ASSIGN_OR_RETURN(std::vector<chaincode::SignedRecord> records,
                       DecodeRecordsPayload(block.payload));
  MBL_ASSIGN_OR_RETURN(std::vector<const Speculative*> chain, UncommittedChain(block.parent_id()));
  const consensus::Height parent_height = chain.empty() ? store_.tip().height : chain[0]->height;
  if (block.height != parent_height + 1) {
    return InvalidArgument("block at height " + Text(block.height) +
                           " does not follow its parent at height " + Text(parent_height));
  }
  if (!records.empty() && EndsEpoch(chain)) {
    return InvalidArgument("block at height " + Text(block.height) +
                           " holds records after a validator-set change; it must be empty");
  }
  auto snapshot = store_.Snapshot();
  // The uncommitted ancestors' writes, layered over the stored state without copying them.
  std::deque<chaincode::WriteSetLayer> layers;
  const chaincode::StateReader* state = snapshot.get();
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    state = &layers.emplace_back(*state, (*it)->execution.writes);
  }
  chaincode::BlockExecution execution =
      chaincode::ExecuteBlock(records, *state, {block.height, block.time_ms}, parent.state_root);
  consensus::ExecutionResult result{execution.state_root, execution.results_root};
  // A proposer executes its block before the id exists (the id covers the result): key the
  // state by the id the block has with this result.
  consensus::Block sealed = block;
  sealed.execution = result;
  consensus::SealBlock(sealed);
  const bool starts_epoch = chaincode::StartsEpoch(execution.writes);
  speculative_[sealed.id] = Speculative{block.parent_id(), block.height, std::move(records),
                                        std::move(execution), starts_epoch};
  return result;
}

consensus::ProposalPayload BftHost::MakePayload(const consensus::Block& parent) {
  std::vector<chaincode::SignedRecord> records;
  // After a validator-set change the epoch only finishes committing it: empty blocks.
  if (auto chain = UncommittedChain(parent.id); chain.ok() && !EndsEpoch(*chain)) {
    records =
        mempool_.Peek(options_.block_records_max, options_.block_bytes_max, RecordIdsIn(*chain));
  }
  return {EncodeRecordsPayload(records), options_.clock()};
}

Status BftHost::ValidatePayload(const consensus::Block& block, const consensus::Block& parent) {
  MBL_ASSIGN_OR_RETURN(std::vector<chaincode::SignedRecord> records,
                       DecodeRecordsPayload(block.payload));
  if (records.size() > options_.block_records_max) {
    return InvalidArgument("proposed block holds " + Text(records.size()) +
                           " records, more than the limit of " + Text(options_.block_records_max));
  }
  if (auto chain = UncommittedChain(parent.id);
      !records.empty() && chain.ok() && EndsEpoch(*chain)) {
    return InvalidArgument("proposed block holds records after a validator-set change");
  }
  const std::int64_t now_ms = options_.clock();
  if (block.time_ms > now_ms + options_.clock_allowance_ms) {
    return FailedPrecondition("proposed block time " + std::to_string(block.time_ms) +
                              " ms is more than " + std::to_string(options_.clock_allowance_ms) +
                              " ms ahead of this node's clock (" + std::to_string(now_ms) + ")");
  }
  if (block.time_ms < parent.time_ms) {
    return InvalidArgument("proposed block time is before its parent's (R2a)");
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    // Admission verified the records this node already holds (most of them, since records are
    // forwarded to every validator): only the others cost an Ed25519 verification here.
    if (mempool_.HoldsVerified(chaincode::ComputeRecordId(records[i].payload), records[i]))
      continue;
    if (Status status = chaincode::VerifyEnvelope(records[i]); !status.ok()) {
      return status.WithContext("proposed block, record " + Text(i));
    }
  }
  return Status::Ok();
}

Result<bool> BftHost::EnsureExecuted(const consensus::Block& block) {
  if (!speculative_.contains(block.id)) {
    MBL_ASSIGN_OR_RETURN(consensus::ExecutionResult ignored,
                         Execute(block, block.qc.vote_data.execution));
    (void)ignored;
  }
  auto it = speculative_.find(block.id);
  MBL_CHECK_MSG(it != speculative_.end(),
                "committed block at height " + Text(block.height) +
                    " executes differently on this node (non-determinism or more than f faults)");
  return it->second.starts_epoch;
}

Status BftHost::Commit(const consensus::CommittedBlock& committed) {
  const consensus::Block& block = committed.block;
  MBL_RETURN_IF_ERROR(EnsureExecuted(block).status());
  Speculative& speculative = speculative_.at(block.id);
  MBL_CHECK_MSG(speculative.execution.state_root == block.execution.state_root &&
                    speculative.execution.results_root == block.execution.results_root,
                "committed block at height " + Text(block.height) +
                    " executes differently on this node (non-determinism or more than f faults)");
  MBL_CHECK_EQ(block.height, store_.tip().height + 1);
  const crypto::PublicKey proposer = block.author < options_.validators.size()
                                         ? options_.validators[block.author]
                                         : crypto::PublicKey{};
  // On a storage error the records stay here for the retry (node/bft_orderer.cc).
  MBL_RETURN_IF_ERROR(committer_.Commit(
      speculative.records, block.time_ms, speculative.execution, proposer, [&](const BlockHeader&) {
        return formats::EncodeBftCertificate({block.round, block.author, committed.qc});
      }));
  committed_id_ = block.id;
  std::erase_if(speculative_,
                [&](const auto& entry) { return entry.second.height <= block.height; });
  return Status::Ok();
}

}  // namespace mbl::node
