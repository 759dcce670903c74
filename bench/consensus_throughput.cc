// Consensus alone (DESIGN D9): four Jolteon cores on this machine over real authenticated,
// encrypted loopback links, each persisting its safety data with a synced write before voting,
// ordering opaque 100-byte "records" that nobody executes. Reports committed records per second
// and the Ed25519 verify rate measured in the same run.
//   bench_consensus [--seconds S] [--records-per-block K]
#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "bench/bench_util.h"
#include "consensus/codec.h"
#include "consensus/core.h"
#include "node/log.h"
#include "node/peer_links.h"

namespace {

using namespace mbl;
using Clock = std::chrono::steady_clock;
using bench::Seconds;
using bench::VerifyRatePerSecond;
constexpr int kNodes = 4;
constexpr std::size_t kRecordBytes = 100;

// One validator: the core, a trivial host (no execution), its links and its driving thread.
class Replica final : public consensus::Executor,
                      public consensus::PayloadSource,
                      public consensus::CommittedBlockReader {
 public:
  Replica(std::uint32_t self, std::size_t records_per_block, std::filesystem::path safety_file)
      : self_(self), records_per_block_(records_per_block), safety_file_(std::move(safety_file)) {}

  void Start(const consensus::ValidatorSet& validators, const crypto::KeyPair& key,
             const crypto::Hash256& chain_id, std::unique_ptr<node::PeerLinks> links) {
    links_ = std::move(links);
    signer_ = std::make_unique<consensus::KeyPairSigner>(key);
    core_ = std::make_unique<consensus::ConsensusCore>(
        consensus::ConsensusConfig{validators, self_, chain_id, consensus::Genesis{}, {}},
        consensus::ConsensusDependencies{*this, *this, *signer_, *this},
        consensus::RecoveryState{});
    fd_ = open(safety_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    MBL_CHECK(fd_ >= 0);
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      wake_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    if (links_) links_->Stop();
    if (fd_ >= 0) close(fd_);
  }
  void OnFrame(std::uint32_t from, std::string frame) {
    std::lock_guard lock(mutex_);
    frames_.emplace_back(from, std::move(frame));
    wake_.notify_one();
  }
  std::uint64_t committed_records() const { return committed_records_; }

  Result<consensus::ExecutionResult> Execute(const consensus::Block& block,
                                             const consensus::ExecutionResult& parent) override {
    crypto::Sha256Hasher hasher;
    hasher.Update(parent.state_root).Update(crypto::Sha256(block.payload));
    return consensus::ExecutionResult{hasher.Final(), {}};
  }
  consensus::ProposalPayload MakePayload(const consensus::Block& parent) override {
    std::string payload(records_per_block_ * kRecordBytes, 'r');
    std::snprintf(payload.data(), 32, "%u-%llu", self_,
                  static_cast<unsigned long long>(parent.height));
    return {std::move(payload), 0};
  }
  Status ValidatePayload(const consensus::Block&, const consensus::Block&) override {
    return Status::Ok();
  }
  std::optional<consensus::CommittedBlock> ReadCommitted(consensus::Height height) override {
    auto it = committed_.find(height);
    if (it == committed_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void Run() {
    Apply(core_->Start());
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (frames_.empty()) {
        if (timer_) {
          if (wake_.wait_until(lock, timer_->second) == std::cv_status::timeout) {
            auto round = timer_->first;
            timer_.reset();
            lock.unlock();
            Apply(core_->OnLocalTimeout(round));
            lock.lock();
          }
        } else {
          wake_.wait(lock);
        }
        continue;
      }
      auto [from, frame] = std::move(frames_.front());
      frames_.pop_front();
      lock.unlock();
      if (auto message = consensus::DecodeMessage(frame); message.ok()) {
        Apply(core_->OnMessage(from, *message));
      }
      lock.lock();
    }
  }
  void Apply(consensus::Output output) {
    std::deque<consensus::Output> pending{std::move(output)};
    while (!pending.empty()) {
      consensus::Output next = std::move(pending.front());
      pending.pop_front();
      for (const auto& action : next.actions) Carry(action, pending);
    }
  }
  void Carry(const consensus::Action& action, std::deque<consensus::Output>& pending) {
    using namespace consensus;
    if (auto* p = std::get_if<BroadcastProposal>(&action)) {
      links_->Broadcast(EncodeMessage(p->proposal));
    } else if (auto* v = std::get_if<SendVote>(&action)) {
      links_->Send(v->to, EncodeMessage(v->vote));
    } else if (auto* t = std::get_if<BroadcastTimeout>(&action)) {
      links_->Broadcast(EncodeMessage(t->timeout));
    } else if (auto* s = std::get_if<SendSyncInfo>(&action)) {
      links_->Send(s->to, EncodeMessage(s->sync_info));
    } else if (auto* r = std::get_if<RequestBlocks>(&action)) {
      links_->Send(r->to, EncodeMessage(r->request));
    } else if (auto* b = std::get_if<SendBlocks>(&action)) {
      links_->Send(b->to, EncodeMessage(b->response));
    } else if (auto* persist = std::get_if<PersistSafetyData>(&action)) {
      std::string bytes = EncodeSafetyData(persist->safety_data);
      MBL_CHECK(pwrite(fd_, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
      MBL_CHECK(fdatasync(fd_) == 0);
      pending.push_back(core_->OnSafetyDataPersisted(persist->sequence));
    } else if (auto* commit = std::get_if<CommitBlocks>(&action)) {
      for (const auto& block : commit->blocks) {
        committed_records_ += block.block.payload.size() / kRecordBytes;
        committed_[block.block.height] = block;
        if (block.block.height > 64) committed_.erase(block.block.height - 64);
      }
    } else if (auto* schedule = std::get_if<ScheduleTimeout>(&action)) {
      std::lock_guard lock(mutex_);
      timer_ = std::make_pair(schedule->round,
                              Clock::now() + std::chrono::milliseconds(schedule->duration_ms));
    }
  }

  const std::uint32_t self_;
  const std::size_t records_per_block_;
  const std::filesystem::path safety_file_;
  int fd_ = -1;
  std::unique_ptr<node::PeerLinks> links_;
  std::unique_ptr<consensus::KeyPairSigner> signer_;
  std::unique_ptr<consensus::ConsensusCore> core_;
  std::map<consensus::Height, consensus::CommittedBlock> committed_;
  std::atomic<std::uint64_t> committed_records_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::uint32_t, std::string>> frames_;
  std::optional<std::pair<consensus::Round, Clock::time_point>> timer_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  double seconds = 20;
  std::size_t records_per_block = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::stod(argv[i + 1]);
    if (std::strcmp(argv[i], "--records-per-block") == 0)
      records_per_block = std::stoul(argv[i + 1]);
  }
  node::SetLogLevel(node::LogLevel::kWarn);
  MBL_CHECK(crypto::InitializeCrypto().ok());
  const double verify_rate = VerifyRatePerSecond();
  std::vector<crypto::KeyPair> keys;
  std::vector<crypto::PublicKey> public_keys;
  for (int i = 0; i < kNodes; ++i) {
    keys.push_back(crypto::KeyPair::Generate());
    public_keys.push_back(keys.back().public_key);
  }
  auto validators = consensus::ValidatorSet::Create(public_keys);
  MBL_CHECK(validators.ok());
  crypto::Hash256 chain_id = crypto::Sha256("bench-consensus");
  const auto dir =
      std::filesystem::temp_directory_path() / ("mbl-bench-consensus-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::unique_ptr<Replica>> replicas;
  std::vector<std::unique_ptr<node::PeerLinks>> links;
  for (std::uint32_t i = 0; i < kNodes; ++i) {
    replicas.push_back(
        std::make_unique<Replica>(i, records_per_block, dir / ("safety-" + std::to_string(i))));
    node::PeerLinksOptions options;
    options.chain_id = chain_id;
    for (std::uint32_t j = 0; j < kNodes; ++j) {
      if (j != i) options.peers.push_back({j, public_keys[j], "127.0.0.1", 0});
    }
    Replica* replica = replicas.back().get();
    auto started =
        node::PeerLinks::Start(options, crypto::KeyPair::FromSeed(keys[i].secret_key.seed()),
                               [replica](std::uint32_t from, std::string frame) {
                                 replica->OnFrame(from, std::move(frame));
                               });
    MBL_CHECK(started.ok());
    links.push_back(std::move(*started));
  }
  for (std::uint32_t i = 0; i < kNodes; ++i) {
    for (std::uint32_t j = 0; j < kNodes; ++j) {
      if (i != j) links[i]->SetPeerAddress(j, "127.0.0.1", links[j]->port());
    }
  }
  for (std::uint32_t i = 0; i < kNodes; ++i) {
    replicas[i]->Start(*validators, keys[i], chain_id, std::move(links[i]));
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // links up, first rounds
  const std::uint64_t before = replicas[0]->committed_records();
  const auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const std::uint64_t after = replicas[0]->committed_records();
  const double elapsed = Seconds(Clock::now() - start);
  for (auto& replica : replicas) replica->Stop();
  std::filesystem::remove_all(dir);
  std::printf(
      "consensus alone, 4 validators over loopback links, %zu records of %zu bytes per block, "
      "synced safety data: %.0f committed records/s over %.0f s; Ed25519 verify rate in this "
      "run: %.0f/s (one core)\n",
      records_per_block, kRecordBytes, (after - before) / elapsed, elapsed, verify_rate);
  return 0;
}
