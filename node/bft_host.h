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
};

class BftHost final : public consensus::Executor,
                      public consensus::PayloadSource,
                      public consensus::CommittedBlockReader {
 public:
  // `store` holds at least the genesis block; its tip is the committed root.
  BftHost(Store& store, Mempool& mempool, BftHostOptions options);

  Result<consensus::ExecutionResult> Execute(const consensus::Block& block,
                                             const consensus::ExecutionResult& parent) override;
  consensus::ProposalPayload MakePayload(const consensus::Block& parent) override;
  Status ValidatePayload(const consensus::Block& block, const consensus::Block& parent) override;
  std::optional<consensus::CommittedBlock> ReadCommitted(consensus::Height height) override;

  // Stores a block the core committed, with its certifying QC, in one synced batch. Returns the
  // ids of its records. Blocks arrive in height order, each extending the store's tip.
  Result<std::vector<chaincode::RecordId>> Commit(const consensus::CommittedBlock& committed);

  // The genesis of consensus: block 0 of the store.
  consensus::Genesis genesis() const { return genesis_; }
  std::size_t speculative_blocks() const { return speculative_.size(); }

 private:
  struct Speculative {
    consensus::BlockId parent_id{};
    consensus::Height height = 0;
    std::vector<chaincode::SignedRecord> records;
    chaincode::BlockExecution execution;
  };

  // The uncommitted blocks from `id` back to the committed root, newest first; an error when the
  // chain does not reach the root (the block is on an abandoned branch or unknown).
  Result<std::vector<const Speculative*>> UncommittedChain(const consensus::BlockId& id) const;
  std::set<chaincode::RecordId> RecordIdsIn(const std::vector<const Speculative*>& chain) const;

  Store& store_;
  Mempool& mempool_;
  const BftHostOptions options_;
  consensus::Genesis genesis_;
  consensus::BlockId committed_id_{};  // the consensus id of the store's tip
  std::map<consensus::BlockId, Speculative> speculative_;
};

}  // namespace mbl::node
