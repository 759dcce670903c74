// Ordering: decides which records form the next block and when. Everything above it (admission,
// execution, storage, the API) is the same whether one node orders alone or validators agree by
// BFT consensus (issue 4 implements this interface with Jolteon).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "base/status.h"
#include "chaincode/envelope.h"
#include "node/mempool.h"

namespace mbl::node {

// An ordered batch of records with its agreed block time.
struct OrderedBatch {
  std::vector<chaincode::SignedRecord> records;
  std::int64_t time_ms = 0;
};

// Receives ordered batches, in order, and makes them durable. Returns an error when the batch
// could not be committed (for instance, disk full): the orderer then stalls, retrying the same
// batch every limits::kStorageRetryIntervalMs until it commits.
using CommitFn = std::function<Status(const OrderedBatch& batch)>;
using ClockFn = std::function<std::int64_t()>;  // UTC milliseconds

class Orderer {
 public:
  virtual ~Orderer() = default;
  virtual void Start(CommitFn commit) = 0;
  // Returns after the batch being committed, if any, is durable.
  virtual void Stop() = 0;
  // Why ordering is stalled (a commit error it retries), ok while running.
  virtual Status health() const = 0;
};

struct SingleNodeOrdererOptions {
  std::size_t block_records_max = 0;
  std::size_t block_bytes_max = 0;
  std::chrono::milliseconds block_interval{50};
};

// N = 1, the embedded default: cuts a block when records are pending, at most every
// block_interval, and at once when a full block is waiting. Block time = max(parent time, clock),
// so it never decreases (R2a).
class SingleNodeOrderer final : public Orderer {
 public:
  SingleNodeOrderer(Mempool& mempool, SingleNodeOrdererOptions options, ClockFn clock,
                    std::int64_t parent_time_ms);
  ~SingleNodeOrderer() override;
  void Start(CommitFn commit) override;
  void Stop() override;
  Status health() const override;

 private:
  void Run(CommitFn commit);
  // Commits `batch`, retrying every limits::kStorageRetryIntervalMs while it fails. False when
  // stopped first.
  bool CommitUntilDone(const CommitFn& commit, const OrderedBatch& batch);

  Mempool& mempool_;
  const SingleNodeOrdererOptions options_;
  const ClockFn clock_;
  std::int64_t parent_time_ms_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex status_mutex_;
  std::condition_variable stop_requested_;
  Status status_;
  std::thread thread_;
};

}  // namespace mbl::node
