// Block-Tree module of DiemBFT v4: the uncommitted blocks hanging off the last committed block
// (the root), the highest QC (high_qc) and the 2-chain commit rule of Jolteon: a block B commits
// when a QC certifies a block B' whose parent is B and round(B') = round(B) + 1; B's uncommitted
// ancestors commit with it.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "base/status.h"
#include "consensus/types.h"

namespace mbl::consensus {

class BlockTree {
 public:
  // `root` is the last committed block with the QC certifying it (genesis and the genesis QC on a
  // first start). `high_qc` may certify a block not in the tree yet (known from persisted data).
  BlockTree(CommittedBlock root, QuorumCertificate high_qc);

  const Block& root() const { return root_.block; }
  const CommittedBlock& committed_root() const { return root_; }
  const QuorumCertificate& high_qc() const { return high_qc_; }
  std::size_t pending_count() const { return nodes_.size() - 1; }

  bool Contains(const BlockId& id) const { return nodes_.contains(id); }
  const Block* Find(const BlockId& id) const;
  // The QC known to certify block `id`, if any.
  const QuorumCertificate* CertifyingQc(const BlockId& id) const;

  // Adds a block whose parent is in the tree, after checking that it extends the parent
  // (round, height, time, and its QC's vote data describing the parent). The caller has checked
  // the block's execution. Refuses when the tree holds kConsensusPendingBlocksMax blocks.
  Status Insert(const Block& block);

  // Block-Tree.process_qc: remembers `qc` (verified) as certifying its block and raises high_qc.
  void ProcessQc(const QuorumCertificate& qc);

  enum class CommitOutcome { kNothingToCommit, kCommitted, kMissingBlocks };
  // Applies the 2-chain commit rule to a verified `qc`. On kCommitted, `committed` receives the
  // newly committed blocks, oldest first, each with its certifying QC, the root moves to the last
  // of them and blocks not descending from it are dropped. kMissingBlocks: the rule applies but a
  // block or certifying QC on the way is unknown (fetch, then retry).
  CommitOutcome TryCommit(const QuorumCertificate& qc, std::vector<CommittedBlock>* committed);

  // Blocks strictly after `after_id` up to and including `target_id`, oldest first, when
  // `target_id` descends from `after_id` in the tree; empty otherwise.
  std::vector<const Block*> PathBetween(const BlockId& after_id, const BlockId& target_id) const;

 private:
  struct Node {
    Block block;
    std::optional<QuorumCertificate> certified_by;
  };
  void PruneToRoot();

  CommittedBlock root_;
  QuorumCertificate high_qc_;
  std::map<BlockId, Node> nodes_;  // includes the root
};

}  // namespace mbl::consensus
