// The one commit path, the same for N = 1 and BFT ordering: a block's header is built from its
// records, time, execution and proposer; the block is written with its certificate in one synced
// batch (node/store.h); then its records leave the mempool and whoever waits for them hears of it.
// Called by one thread at a time (the orderer's).
#pragma once

#include <functional>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "chaincode/executor.h"
#include "crypto/ed25519.h"
#include "formats/block.h"
#include "node/mempool.h"
#include "node/store.h"

namespace mbl::node {

class Committer {
 public:
  // Told the ids of the records each committed block holds, after the block is durable.
  using CommittedFn = std::function<void(const std::vector<chaincode::RecordId>& ids)>;
  // Who vouches for the block: the proposer's signature with one validator, the encoded quorum
  // certificate with BFT, nothing for block 0 (trusted by configuration).
  using CertifyFn = std::function<std::string(const formats::BlockHeader& header)>;

  Committer(Store& store, Mempool& mempool, CommittedFn on_committed)
      : store_(store), mempool_(mempool), on_committed_(std::move(on_committed)) {}

  // Commits `records`, as executed on the store's tip into `execution` at `time_ms`, as the
  // block after the tip. On success `records` is left empty; on a storage error nothing was
  // written and `records` is given back unchanged, for the caller's retry.
  Status Commit(std::vector<chaincode::SignedRecord>& records, std::int64_t time_ms,
                const chaincode::BlockExecution& execution, const crypto::PublicKey& proposer,
                const CertifyFn& certify);

 private:
  Store& store_;
  Mempool& mempool_;
  const CommittedFn on_committed_;
};

}  // namespace mbl::node
