#include "node/bft_orderer.h"

#include <chrono>

namespace mbl::node {

Result<std::unique_ptr<BftOrderer>> BftOrderer::Start(Store& store, Mempool& mempool,
                                                      Committer& committer, crypto::KeyPair key,
                                                      BftOrdererOptions options) {
  std::unique_ptr<BftOrderer> orderer(new BftOrderer());
  BftOrderer& self = *orderer;
  const bool driven_by_caller = options.driven_by_caller;
  MBL_ASSIGN_OR_RETURN(self.replica_,
                       BftReplica::Create(store, mempool, committer, std::move(key),
                                          std::move(options), [&self] { self.Signal(); }));
  if (!driven_by_caller) self.thread_ = std::thread([&self] { self.Run(); });
  return orderer;
}

BftOrderer::~BftOrderer() { Stop(); }

void BftOrderer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (replica_) replica_->Close();
}

void BftOrderer::Signal() {
  {
    std::lock_guard lock(mutex_);
    ++inputs_;
  }
  wake_.notify_one();
}

void BftOrderer::Run() {
  replica_->Start();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const std::uint64_t inputs = inputs_;
    lock.unlock();
    const bool worked = replica_->Step();
    const std::optional<std::int64_t> wake_ms = worked ? std::nullopt : replica_->NextWakeMs();
    lock.lock();
    if (worked) continue;
    const auto woken = [&] { return stopping_ || inputs_ != inputs; };
    if (!wake_ms) {
      wake_.wait(lock, woken);
      continue;
    }
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    wake_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(*wake_ms - now_ms, 0)),
                   woken);
  }
}

}  // namespace mbl::node
