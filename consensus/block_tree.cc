#include "consensus/block_tree.h"

#include <algorithm>
#include <set>
#include <string>

#include "base/limits.h"
#include "crypto/encoding.h"

namespace mbl::consensus {

BlockTree::BlockTree(CommittedBlock root, QuorumCertificate high_qc)
    : root_(std::move(root)), high_qc_(std::move(high_qc)) {
  MBL_CHECK(root_.qc.certified_block_id() == root_.block.id);
  if (high_qc_.round() < root_.qc.round()) high_qc_ = root_.qc;
  nodes_.emplace(root_.block.id, Node{root_.block, root_.qc});
}

const Block* BlockTree::Find(const BlockId& id) const {
  const auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second.block;
}

const QuorumCertificate* BlockTree::CertifyingQc(const BlockId& id) const {
  const auto it = nodes_.find(id);
  if (it == nodes_.end() || !it->second.certified_by) return nullptr;
  return &*it->second.certified_by;
}

Status BlockTree::Insert(const Block& block) {
  if (Contains(block.id)) return Status::Ok();
  const Block* parent = Find(block.parent_id());
  if (parent == nullptr) {
    return FailedPrecondition("block of round " + std::to_string(block.round) + ": parent " +
                              crypto::ToHex(block.parent_id()) + " is not in the block tree");
  }
  if (pending_count() >= limits::kConsensusPendingBlocksMax) {
    return ResourceExhausted("block tree holds " + std::to_string(pending_count()) +
                             " uncommitted blocks (limit kConsensusPendingBlocksMax)");
  }
  const VoteData& certified = block.qc.vote_data;
  if (certified.round != parent->round || certified.height != parent->height ||
      certified.execution != parent->execution || certified.parent_id != parent->parent_id()) {
    return InvalidArgument("block of round " + std::to_string(block.round) +
                           ": its QC's vote data does not describe its parent");
  }
  if (block.round <= parent->round || block.height != parent->height + 1) {
    return InvalidArgument("block of round " + std::to_string(block.round) + " height " +
                           std::to_string(block.height) + " does not extend its parent (round " +
                           std::to_string(parent->round) + ", height " +
                           std::to_string(parent->height) + ")");
  }
  if (block.time_ms < parent->time_ms) {
    return InvalidArgument("block of round " + std::to_string(block.round) + ": time " +
                           std::to_string(block.time_ms) + " ms is before its parent's " +
                           std::to_string(parent->time_ms) + " ms");
  }
  nodes_.emplace(block.id, Node{block, std::nullopt});
  ProcessQc(block.qc);
  return Status::Ok();
}

void BlockTree::ProcessQc(const QuorumCertificate& qc) {
  const auto it = nodes_.find(qc.certified_block_id());
  if (it != nodes_.end() && !it->second.certified_by) it->second.certified_by = qc;
  if (qc.round() > high_qc_.round()) high_qc_ = qc;
}

BlockTree::CommitOutcome BlockTree::TryCommit(const QuorumCertificate& qc,
                                              std::vector<CommittedBlock>* committed) {
  const VoteData& v = qc.vote_data;
  // The 2-chain rule: qc certifies B' with round(B') = round(parent) + 1, so the parent commits.
  if (!ProvesCommit(v)) return CommitOutcome::kNothingToCommit;
  if (v.parent_round <= root_.block.round) return CommitOutcome::kNothingToCommit;

  std::vector<CommittedBlock> chain;
  BlockId cursor = v.parent_id;
  while (cursor != root_.block.id) {
    const auto it = nodes_.find(cursor);
    if (it == nodes_.end() || !it->second.certified_by) return CommitOutcome::kMissingBlocks;
    chain.push_back(CommittedBlock{it->second.block, *it->second.certified_by});
    cursor = it->second.block.parent_id();
    MBL_CHECK_LE(chain.size(), nodes_.size());
  }
  std::reverse(chain.begin(), chain.end());
  MBL_CHECK(!chain.empty());
  // Pair assertions: the chain starts on the root and ends on the block the rule commits.
  MBL_CHECK(chain.front().block.parent_id() == root_.block.id);
  MBL_CHECK(chain.back().block.id == v.parent_id);
  MBL_CHECK_EQ(chain.back().block.round + 1, v.round);
  for (const auto& c : chain) MBL_CHECK(c.qc.certified_block_id() == c.block.id);

  root_ = chain.back();
  PruneToRoot();
  committed->insert(committed->end(), chain.begin(), chain.end());
  return CommitOutcome::kCommitted;
}

void BlockTree::PruneToRoot() {
  std::vector<const Node*> by_height;
  by_height.reserve(nodes_.size());
  for (const auto& [id, node] : nodes_) by_height.push_back(&node);
  std::sort(by_height.begin(), by_height.end(),
            [](const Node* a, const Node* b) { return a->block.height < b->block.height; });
  std::set<BlockId> keep = {root_.block.id};
  for (const Node* node : by_height) {
    if (node->block.height > root_.block.height && keep.contains(node->block.parent_id())) {
      keep.insert(node->block.id);
    }
  }
  std::erase_if(nodes_, [&keep](const auto& entry) { return !keep.contains(entry.first); });
  MBL_CHECK(nodes_.contains(root_.block.id));
}

std::vector<const Block*> BlockTree::PathBetween(const BlockId& after_id,
                                                 const BlockId& target_id) const {
  std::vector<const Block*> path;
  BlockId cursor = target_id;
  while (cursor != after_id) {
    const Block* block = Find(cursor);
    if (block == nullptr || block->id == root_.block.id) return {};
    path.push_back(block);
    cursor = block->parent_id();
    MBL_CHECK_LE(path.size(), nodes_.size());
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace mbl::consensus
