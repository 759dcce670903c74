// BFT ordering in the node: one thread drives the validator's replica (node/bft_replica.h) on the
// steady clock, waking for input from the validator links and for the replica's timers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "node/bft_replica.h"

namespace mbl::node {

class BftOrderer {
 public:
  // Creates the replica (node/bft_replica.h) and starts the ordering thread, unless
  // options.driven_by_caller. Committed blocks go through `committer` (on the ordering thread),
  // which writes them to `store`.
  static Result<std::unique_ptr<BftOrderer>> Start(Store& store, Mempool& mempool,
                                                   Committer& committer, crypto::KeyPair key,
                                                   BftOrdererOptions options);
  ~BftOrderer();
  // Returns after the block being committed, if any, is durable, and the network is closed: no
  // frame arrives after it. Idempotent.
  void Stop();

  // Sends records a client submitted here to every validator of the epoch.
  void BroadcastRecords(const std::string& frame) { replica_->BroadcastRecords(frame); }
  // Records were added to the mempool: an idle leader proposes them.
  void PayloadReady() { replica_->PayloadReady(); }
  BftStatus status() const { return replica_->status(); }
  // The replica, for a caller that drives it (options.driven_by_caller).
  BftReplica* replica() { return replica_.get(); }

 private:
  BftOrderer() = default;
  void Run();
  void Signal();

  std::unique_ptr<BftReplica> replica_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t inputs_ = 0;  // input signals so far: a wait ends when it changes
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mbl::node
