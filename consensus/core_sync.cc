// Catch-up (DESIGN D4: "a lagging or restarted node catches up by fetching blocks with their
// certificates and checking them") and SyncInfo, DiemBFT's way of helping a node that is behind.
//
// Fetching walks forward from the deepest block we hold (first the committed root) towards a
// block a verified QC certifies, kCatchUpBlocksPerRequestMax blocks at a time. A fetched block is
// inserted only when a verified QC certifies it: the next block's parent QC, or the target QC for
// the last one. No node executes or commits an uncertified fetched block.
#include <algorithm>
#include <span>
#include <string>

#include "base/limits.h"
#include "consensus/codec.h"
#include "consensus/core.h"
#include "crypto/encoding.h"

namespace mbl::consensus {
namespace {

bool Describes(const VoteData& certified, const Block& block) {
  return certified.block_id == block.id && certified.round == block.round &&
         certified.height == block.height && certified.parent_id == block.parent_id() &&
         certified.parent_round == block.qc.round() && certified.execution == block.execution;
}

// Checks ids, shapes, QCs and links of a fetched chain before anything is inserted.
Status VerifyFetchedChain(std::span<const Block> blocks, const BlockTree& tree,
                          CertificateVerifier& verifier) {
  if (blocks.empty() || !tree.Contains(blocks.front().parent_id())) {
    return FailedPrecondition("fetched blocks do not extend a block this node holds");
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    const std::string where =
        "fetched block " + std::to_string(i) + " (height " + std::to_string(b.height) + ")";
    if (b.id != ComputeBlockId(b)) return InvalidArgument(where + ": id does not match");
    if (b.round <= b.qc.round() || b.height != b.qc.vote_data.height + 1) {
      return InvalidArgument(where + ": round or height does not follow its QC");
    }
    if (i > 0 && b.parent_id() != blocks[i - 1].id) {
      return InvalidArgument(where + ": does not extend the block before it");
    }
    MBL_RETURN_IF_ERROR(verifier.VerifyQc(b.qc).WithContext(where));
  }
  return Status::Ok();
}

}  // namespace

Output ConsensusCore::OnSyncInfo(ValidatorIndex from, const SyncInfo& sync_info) {
  Output out;
  out.status = verifier_.VerifySyncInfo(sync_info);
  if (!out.status.ok()) return out;
  ProcessQc(sync_info.high_qc, from, out);
  if (sync_info.last_round_tc) ProcessTc(*sync_info.last_round_tc, from, out);
  return out;
}

void ConsensusCore::MaybeSendSyncInfo(ValidatorIndex to, Round their_round, Output& out) {
  const Round round = pacemaker_.current_round();
  if (to == config_.self || !config_.validators.Contains(to) || their_round >= round) return;
  Round& sent = sync_sent_round_[to];
  if (sent >= round) return;
  sent = round;
  out.actions.push_back(SendSyncInfo{to, SyncInfo{tree_.high_qc(), pacemaker_.last_round_tc()}});
}

ValidatorIndex ConsensusCore::SomeSignerOtherThanSelf(const QuorumCertificate& qc) const {
  for (const auto& s : qc.signatures) {
    if (s.signer != config_.self) return s.signer;
  }
  return static_cast<ValidatorIndex>((config_.self + 1) % config_.validators.size());
}

void ConsensusCore::RotateFetchPeer() {
  MBL_CHECK(fetch_.has_value());
  const auto n = static_cast<ValidatorIndex>(config_.validators.size());
  fetch_->peer = (fetch_->peer + 1) % n;
  if (fetch_->peer == config_.self) fetch_->peer = (fetch_->peer + 1) % n;
}

void ConsensusCore::RequestMissing(const QuorumCertificate& qc, ValidatorIndex hint, Output& out) {
  if (config_.validators.size() == 1) return;  // nobody to ask; every block is local
  if (qc.round() <= tree_.root().round || tree_.Contains(qc.certified_block_id())) return;
  if (fetch_) {
    // One fetch at a time; aim it at the highest certified block wanted.
    if (qc.round() > fetch_->target_qc.round()) fetch_->target_qc = qc;
    return;
  }
  fetch_ = Fetch{qc, hint, tree_.root().id, tree_.root().height, 0};
  if (!config_.validators.Contains(hint) || hint == config_.self) RotateFetchPeer();
  SendFetchRequest(out);
}

void ConsensusCore::SendFetchRequest(Output& out) {
  if (!fetch_) return;
  if (fetch_->target_qc.round() <= tree_.root().round ||
      tree_.Contains(fetch_->target_qc.certified_block_id())) {
    fetch_.reset();
    return;
  }
  if (!tree_.Contains(fetch_->after_id)) {
    fetch_->after_id = tree_.root().id;
    fetch_->after_height = tree_.root().height;
  }
  // Each peer is asked at most once between two local timeouts.
  if (fetch_->attempts >= config_.validators.size()) return;
  ++fetch_->attempts;
  fetch_->rounds_since_request = 0;
  BlockRequest request;
  request.target_id = fetch_->target_qc.certified_block_id();
  request.target_height = fetch_->target_qc.vote_data.height;
  request.after_id = fetch_->after_id;
  request.after_height = fetch_->after_height;
  request.count = static_cast<std::uint32_t>(limits::kCatchUpBlocksPerRequestMax);
  out.actions.push_back(RequestBlocks{fetch_->peer, request});
}

Output ConsensusCore::OnBlockRequest(ValidatorIndex from, const BlockRequest& request) {
  Output out;
  if (!config_.validators.Contains(from) || request.count == 0) {
    out.status = InvalidArgument("block request from validator " + std::to_string(from) +
                                 ": not a validator, or asks for no blocks");
    return out;
  }
  const std::size_t count =
      std::min<std::size_t>(request.count, limits::kCatchUpBlocksPerRequestMax);
  std::vector<Block> blocks;
  std::size_t payload_bytes = 0;
  // Keeps a response within one frame: at least one block, then as many as fit.
  const auto add = [&](const Block& block) {
    if (!blocks.empty() &&
        payload_bytes + block.payload.size() > limits::kConsensusPayloadBytesMax) {
      return false;
    }
    payload_bytes += block.payload.size();
    blocks.push_back(block);
    return true;
  };
  BlockId expected_parent = request.after_id;
  if (!tree_.Contains(request.after_id)) {
    // The requester is behind our root: serve committed blocks from the host's store.
    const Block& root = tree_.root();
    for (Height h = request.after_height + 1;
         blocks.size() < count && h <= root.height && h <= request.target_height; ++h) {
      std::optional<Block> block;
      if (h == root.height) {
        block = root;
      } else if (auto stored = deps_.committed_blocks.ReadCommitted(h)) {
        block = std::move(stored->block);
      }
      if (!block || block->parent_id() != expected_parent || !add(*block)) break;
      expected_parent = block->id;
    }
  }
  if (blocks.size() < count && tree_.Contains(expected_parent) &&
      tree_.Contains(request.target_id)) {
    for (const Block* block : tree_.PathBetween(expected_parent, request.target_id)) {
      if (blocks.size() >= count || !add(*block)) break;
    }
  }
  out.actions.push_back(SendBlocks{from, BlockResponse{std::move(blocks)}});
  return out;
}

Output ConsensusCore::OnBlocksFetched(ValidatorIndex from, const BlockResponse& response) {
  Output out;
  if (!fetch_) {
    out.status = FailedPrecondition("block response from validator " + std::to_string(from) +
                                    " that was not asked for");
    return out;
  }
  // Blocks committed here while the request was in flight are skipped.
  const std::span<const Block> all(response.blocks);
  std::size_t first = 0;
  while (first < all.size() && !tree_.Contains(all[first].parent_id())) ++first;
  const std::span<const Block> blocks = all.subspan(first);
  if (response.blocks.empty()) {
    out.status = NotFound("validator " + std::to_string(from) + " has no blocks towards " +
                          crypto::ToHex(fetch_->target_qc.certified_block_id()));
  } else {
    out.status = VerifyFetchedChain(blocks, tree_, verifier_)
                     .WithContext("block response from validator " + std::to_string(from));
  }
  std::vector<const QuorumCertificate*> new_certificates;
  if (out.status.ok()) {
    const QuorumCertificate target_qc = fetch_->target_qc;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const Block& block = blocks[i];
      const bool last = i + 1 == blocks.size();
      // Certified by the next block's parent QC, or by the target QC; else left for the next chunk.
      const VoteData* certified = !last ? &blocks[i + 1].qc.vote_data
                                  : block.id == target_qc.certified_block_id()
                                      ? &target_qc.vote_data
                                      : nullptr;
      if (certified == nullptr) break;
      if (tree_.Contains(block.id)) continue;
      out.status = InsertCertifiedBlock(block, *certified);
      if (!out.status.ok()) break;
      new_certificates.push_back(&block.qc);
      fetch_->after_id = block.id;
      fetch_->after_height = block.height;
    }
  }
  if (new_certificates.empty()) {
    RotateFetchPeer();  // no progress from this peer
    SendFetchRequest(out);
    return out;
  }
  fetch_->attempts = 0;
  const QuorumCertificate target_qc = fetch_->target_qc;
  for (const QuorumCertificate* qc : new_certificates) ProcessQc(*qc, from, out);
  ProcessQc(target_qc, from, out);
  SendFetchRequest(out);  // the next chunk, or clears the fetch when the target arrived
  if (!fetch_ && !tree_.Contains(tree_.high_qc().certified_block_id())) {
    RequestMissing(tree_.high_qc(), from, out);
  }
  AfterBlockInserted(out);
  return out;
}

Status ConsensusCore::InsertCertifiedBlock(const Block& block, const VoteData& certified) {
  if (!Describes(certified, block)) {
    return InvalidArgument("fetched block of round " + std::to_string(block.round) +
                           " does not match the QC certifying it");
  }
  const Block* parent = tree_.Find(block.parent_id());
  if (parent == nullptr) return FailedPrecondition("fetched block's parent is not held");
  auto execution = deps_.executor.Execute(block, parent->execution);
  if (!execution.ok()) {
    return execution.status().WithContext("executing certified block of height " +
                                          std::to_string(block.height));
  }
  // A quorum signed this execution result. Disagreeing means this node's execution is not
  // deterministic (or more than f validators lie): it cannot follow the chain safely.
  MBL_CHECK_MSG(*execution == block.execution,
                "certified block " + crypto::ToHex(block.id) + " at height " +
                    std::to_string(block.height) + " executes to state root " +
                    crypto::ToHex(execution->state_root) + " here but the quorum certified " +
                    crypto::ToHex(block.execution.state_root));
  return tree_.Insert(block);
}

void ConsensusCore::RecoverVotedBlocks() {
  std::sort(recovered_blocks_.begin(), recovered_blocks_.end(),
            [](const Block& a, const Block& b) { return a.height < b.height; });
  for (const Block& block : recovered_blocks_) {
    const Block* parent = tree_.Find(block.parent_id());
    if (parent == nullptr || tree_.Contains(block.id) || block.id != ComputeBlockId(block)) {
      continue;  // committed since, or on a branch that lost
    }
    auto execution = deps_.executor.Execute(block, parent->execution);
    MBL_CHECK_MSG(execution.ok() && *execution == block.execution,
                  "a block this node voted for no longer executes to the result it voted for");
    tree_.Insert(block).IgnoreError();  // a limit refusal only costs a later fetch
  }
  recovered_blocks_.clear();
}

}  // namespace mbl::consensus
