#include "node/orderer.h"

#include <algorithm>

#include "base/limits.h"

namespace mbl::node {

SingleNodeOrderer::SingleNodeOrderer(Mempool& mempool, SingleNodeOrdererOptions options,
                                     ClockFn clock, std::int64_t parent_time_ms)
    : mempool_(mempool),
      options_(options),
      clock_(std::move(clock)),
      parent_time_ms_(parent_time_ms) {
  MBL_CHECK_GT(options_.block_records_max, 0u);
  MBL_CHECK_GT(options_.block_bytes_max, 0u);
}

SingleNodeOrderer::~SingleNodeOrderer() { Stop(); }

void SingleNodeOrderer::Start(CommitFn commit) {
  MBL_CHECK(!thread_.joinable());
  thread_ = std::thread([this, commit = std::move(commit)] { Run(commit); });
}

void SingleNodeOrderer::Stop() {
  {
    std::lock_guard lock(status_mutex_);
    stopping_ = true;
    stop_requested_.notify_all();
  }
  mempool_.Close();
  if (thread_.joinable()) thread_.join();
}

Status SingleNodeOrderer::health() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void SingleNodeOrderer::Run(CommitFn commit) {
  while (!stopping_) {
    std::int64_t started_ms = clock_();
    // Waiting up to one interval for the first record, then the rest of the interval lets a
    // burst of submissions share one block (and one fsync).
    if (!mempool_.WaitForRecords(options_.block_interval)) continue;
    if (mempool_.pending_records() < options_.block_records_max) {
      std::int64_t remaining_ms = options_.block_interval.count() - (clock_() - started_ms);
      std::int64_t pause_ms = std::min<std::int64_t>(remaining_ms, 5);
      if (pause_ms > 0 && !stopping_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
      }
    }
    // The records stay pending until the commit path removes them (node/committer.h).
    std::vector<chaincode::SignedRecord> batch =
        mempool_.Peek(options_.block_records_max, options_.block_bytes_max, {});
    if (batch.empty()) continue;
    std::int64_t time_ms = std::max(parent_time_ms_, clock_());
    if (!CommitUntilDone(commit, OrderedBatch{std::move(batch), time_ms})) return;
    parent_time_ms_ = time_ms;
  }
}

bool SingleNodeOrderer::CommitUntilDone(const CommitFn& commit, const OrderedBatch& batch) {
  for (;;) {
    Status status = commit(batch);
    std::unique_lock lock(status_mutex_);
    status_ = status;
    if (status.ok()) return true;
    // Nothing was written: the same batch, with the same time, is retried once the cause (disk
    // full, read-only data directory) is gone. Its records stay pending meanwhile.
    if (stop_requested_.wait_for(lock, std::chrono::milliseconds(limits::kStorageRetryIntervalMs),
                                 [this] { return stopping_.load(); }))
      return false;
  }
}

}  // namespace mbl::node
