#include "node/bft_host.h"

#include "base/check.h"
#include "base/limits.h"
#include "consensus/codec.h"
#include "consensus/core.h"
#include "crypto/encoding.h"
#include "node/log.h"
#include "node/records_payload.h"

namespace mbl::node {
namespace {

std::string Text(std::uint64_t value) { return std::to_string(value); }

consensus::Genesis GenesisOf(const Store& store) {
  auto block = store.GetBlock(0);
  MBL_CHECK_MSG(block.ok(), "the store has no genesis block: " + block.status().ToString());
  return consensus::Genesis{block->header.time_ms,
                            {block->header.state_root, block->header.results_root}};
}

}  // namespace

BftHost::BftHost(Store& store, Mempool& mempool, BftHostOptions options)
    : store_(store), mempool_(mempool), options_(std::move(options)), genesis_(GenesisOf(store)) {
  auto root = ReadCommitted(store_.tip().height);
  MBL_CHECK_MSG(root.has_value(), "the committed tip at height " + Text(store_.tip().height) +
                                      " has no readable BFT certificate");
  committed_id_ = root->block.id;
}

std::optional<consensus::CommittedBlock> BftHost::ReadCommitted(consensus::Height height) {
  if (height == 0) {
    consensus::Block genesis = consensus::MakeGenesisBlock(genesis_);
    return consensus::CommittedBlock{genesis, consensus::MakeGenesisQc(genesis)};
  }
  if (store_.tip().empty || height > store_.tip().height) return std::nullopt;
  auto stored = store_.GetBlock(height);
  auto parent = store_.GetBlock(height - 1);
  if (!stored.ok() || !parent.ok()) return std::nullopt;
  auto certificate = DecodeBftCertificate(stored->certificate);
  if (!certificate.ok()) return std::nullopt;
  consensus::QuorumCertificate parent_qc;
  if (height == 1) {
    parent_qc = consensus::MakeGenesisQc(consensus::MakeGenesisBlock(genesis_));
  } else {
    auto parent_certificate = DecodeBftCertificate(parent->certificate);
    if (!parent_certificate.ok()) return std::nullopt;
    parent_qc = parent_certificate->qc;
  }
  consensus::Block block;
  block.round = certificate->round;
  block.height = height;
  block.time_ms = stored->header.time_ms;
  block.author = certificate->author;
  block.qc = std::move(parent_qc);
  block.payload = EncodeRecordsPayload(stored->records);
  block.execution = {stored->header.state_root, stored->header.results_root};
  consensus::SealBlock(block);
  if (block.id != certificate->qc.certified_block_id()) {
    Log(LogLevel::kError, "stored_block_mismatch",
        {{"height", height},
         {"detail", "the stored block does not hash to the block its QC certifies"}});
    return std::nullopt;
  }
  return consensus::CommittedBlock{std::move(block), std::move(certificate->qc)};
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
  auto snapshot = store_.Snapshot();
  chaincode::OverlayState state(*snapshot);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) state.Merge((*it)->execution.writes);
  chaincode::BlockExecution execution =
      chaincode::ExecuteBlock(records, state, {block.height, block.time_ms}, parent.state_root);
  consensus::ExecutionResult result{execution.state_root, execution.results_root};
  // A proposer executes its block before the id exists (the id covers the result): key the
  // state by the id the block has with this result.
  consensus::Block sealed = block;
  sealed.execution = result;
  consensus::SealBlock(sealed);
  speculative_[sealed.id] =
      Speculative{block.parent_id(), block.height, std::move(records), std::move(execution)};
  return result;
}

consensus::ProposalPayload BftHost::MakePayload(const consensus::Block& parent) {
  std::vector<chaincode::SignedRecord> records;
  if (auto chain = UncommittedChain(parent.id); chain.ok()) {
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

Result<std::vector<chaincode::RecordId>> BftHost::Commit(
    const consensus::CommittedBlock& committed) {
  const consensus::Block& block = committed.block;
  if (!speculative_.contains(block.id)) {
    MBL_ASSIGN_OR_RETURN(consensus::ExecutionResult ignored,
                         Execute(block, block.qc.vote_data.execution));
    (void)ignored;
  }
  Speculative& speculative = speculative_.at(block.id);
  MBL_CHECK_MSG(speculative.execution.state_root == block.execution.state_root &&
                    speculative.execution.results_root == block.execution.results_root,
                "committed block at height " + Text(block.height) +
                    " executes differently on this node (non-determinism or more than f faults)");
  const Tip tip = store_.tip();
  MBL_CHECK_EQ(block.height, tip.height + 1);
  Block stored;
  stored.header.height = block.height;
  stored.header.parent_hash = tip.hash;
  stored.header.time_ms = block.time_ms;
  stored.header.record_count = static_cast<std::uint32_t>(speculative.records.size());
  stored.header.records_root = RecordsRoot(speculative.records);
  stored.header.results_root = speculative.execution.results_root;
  stored.header.state_root = speculative.execution.state_root;
  if (block.author < options_.validators.size()) {
    stored.header.proposer = options_.validators[block.author];
  }
  stored.certificate = EncodeBftCertificate({block.round, block.author, committed.qc});
  stored.records = std::move(speculative.records);
  if (Status status = store_.CommitBlock(stored, speculative.execution); !status.ok()) {
    speculative.records = std::move(stored.records);  // kept for the retry (node/bft_orderer.cc)
    return status;
  }

  std::vector<chaincode::RecordId> ids;
  ids.reserve(speculative.execution.results.size());
  for (const auto& result : speculative.execution.results) ids.push_back(result.record_id);
  committed_id_ = block.id;
  std::erase_if(speculative_,
                [&](const auto& entry) { return entry.second.height <= block.height; });
  return ids;
}

}  // namespace mbl::node
