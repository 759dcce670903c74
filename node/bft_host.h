// The node's side of the consensus core's world (consensus/interfaces.h): speculative execution
// of uncommitted blocks on the chaincode, proposals from the mempool, checks of proposed records,
// and committed blocks read back for peers that catch up. Called only from the thread that drives
// the core (node/bft_orderer.h).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <vector>

#include "chaincode/executor.h"
#include "consensus/core.h"
#include "consensus/interfaces.h"
#include "consensus/types.h"
#include "node/committer.h"
#include "node/mempool.h"
#include "node/orderer.h"
#include "node/store.h"

namespace mbl::node {

struct BftHostOptions {
  std::size_t block_records_max = 0;
  std::size_t block_bytes_max = 0;
  // How far a proposed block time may be ahead of this node's clock (clock skew allowance).
  std::int64_t clock_allowance_ms = 0;
  ClockFn clock;
  std::vector<crypto::PublicKey> validators;  // by validator index: block proposers in headers
  // The root of the epoch's consensus (node/epoch.h): the genesis for epoch 0, otherwise the
  // block that established the epoch's validator set. The store's tip is at or above it.
  consensus::Genesis root;
};

class BftHost final : public consensus::Executor,
                      public consensus::PayloadSource,
                      public consensus::CommittedBlockReader {
 public:
  // `store` holds at least the epoch's root block; its tip is the committed root.
  BftHost(Store& store, Mempool& mempool, Committer& committer, BftHostOptions options);

  Result<consensus::ExecutionResult> Execute(const consensus::Block& block,
                                             const consensus::ExecutionResult& parent) override;
  consensus::ProposalPayload MakePayload(const consensus::Block& parent) override;
  Status ValidatePayload(const consensus::Block& block, const consensus::Block& parent) override;
  std::optional<consensus::CommittedBlock> ReadCommitted(consensus::Height height) override;

  // Executes `block` (on the store's tip) unless it was already; true when it changes the
  // validator set, i.e. ends the epoch once committed.
  Result<bool> EnsureExecuted(const consensus::Block& block);
  // Stores a block the core committed, with its certifying QC, through the committer (one synced
  // batch). Blocks arrive in height order, each extending the store's tip.
  Status Commit(const consensus::CommittedBlock& committed);

  // The genesis of this epoch's consensus.
  consensus::Genesis genesis() const { return options_.root; }
  std::size_t speculative_blocks() const { return speculative_.size(); }

 private:
  struct Speculative {
    consensus::BlockId parent_id{};
    consensus::Height height = 0;
    std::vector<chaincode::SignedRecord> records;
    chaincode::BlockExecution execution;
    bool starts_epoch = false;  // changes the validator set: its descendants stay empty
  };

  // The uncommitted blocks from `id` back to the committed root, newest first; an error when the
  // chain does not reach the root (the block is on an abandoned branch or unknown).
  Result<std::vector<const Speculative*>> UncommittedChain(const consensus::BlockId& id) const;
  std::set<chaincode::RecordId> RecordIdsIn(const std::vector<const Speculative*>& chain) const;
  static bool EndsEpoch(const std::vector<const Speculative*>& chain);

  Store& store_;
  Mempool& mempool_;
  Committer& committer_;
  const BftHostOptions options_;
  consensus::BlockId committed_id_{};  // the consensus id of the store's tip
  std::map<consensus::BlockId, Speculative> speculative_;
};

}  // namespace mbl::node
