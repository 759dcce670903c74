#include "node/bft_orderer.h"

#include <algorithm>

#include "base/limits.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "node/log.h"

namespace mbl::node {
namespace {

// The safety data and the voted blocks share one key, so one synced write covers both.
constexpr std::string_view kConsensusStateKey = "consensus_state";
// Consensus frames waiting for the ordering thread; beyond this, frames are dropped (the
// protocol recovers from loss, and a flood cannot exhaust memory).
constexpr std::size_t kEventQueueBytesMax = 4 * limits::kFrameBytesMax;

void PutU32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

bool TakeU32(std::string_view& in, std::uint32_t& value) {
  if (in.size() < 4) return false;
  value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<std::uint8_t>(in[i]);
  in.remove_prefix(4);
  return true;
}

bool TakeBytes(std::string_view& in, std::string_view& out) {
  std::uint32_t size = 0;
  if (!TakeU32(in, size) || size > in.size()) return false;
  out = in.substr(0, size);
  in.remove_prefix(size);
  return true;
}

std::string EncodeConsensusState(const consensus::SafetyData& safety,
                                 const std::vector<consensus::Block>& voted_blocks) {
  std::string out;
  std::string safety_bytes = consensus::EncodeSafetyData(safety);
  PutU32(out, static_cast<std::uint32_t>(safety_bytes.size()));
  out += safety_bytes;
  PutU32(out, static_cast<std::uint32_t>(voted_blocks.size()));
  for (const auto& block : voted_blocks) {
    std::string bytes = consensus::EncodeBlock(block);
    PutU32(out, static_cast<std::uint32_t>(bytes.size()));
    out += bytes;
  }
  return out;
}

Status DecodeConsensusState(std::string_view in, consensus::RecoveryState& recovery) {
  std::string_view safety_bytes;
  std::uint32_t count = 0;
  if (!TakeBytes(in, safety_bytes) || !TakeU32(in, count) ||
      count > limits::kConsensusPendingBlocksMax) {
    return DataLoss("the stored consensus state is truncated or corrupt");
  }
  MBL_ASSIGN_OR_RETURN(recovery.safety_data, consensus::DecodeSafetyData(safety_bytes));
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view block_bytes;
    if (!TakeBytes(in, block_bytes)) return DataLoss("a stored voted block is truncated");
    MBL_ASSIGN_OR_RETURN(consensus::Block block, consensus::DecodeBlock(block_bytes));
    recovery.voted_blocks.push_back(std::move(block));
  }
  return Status::Ok();
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BftOrderer::BftOrderer(Store& store, Mempool& mempool, PeerNetwork& network, crypto::KeyPair key,
                       BftOrdererOptions options, CommittedFn on_committed)
    : store_(store),
      mempool_(mempool),
      network_(network),
      key_(std::move(key)),
      options_(std::move(options)),
      on_committed_(std::move(on_committed)),
      host_(store, mempool, options_.host),
      signer_(key_) {}

Result<std::unique_ptr<BftOrderer>> BftOrderer::Start(Store& store, Mempool& mempool,
                                                      PeerNetwork& network, crypto::KeyPair key,
                                                      BftOrdererOptions options,
                                                      CommittedFn on_committed) {
  MBL_ASSIGN_OR_RETURN(consensus::ValidatorSet validators,
                       consensus::ValidatorSet::Create(options.validators));
  std::unique_ptr<BftOrderer> orderer(new BftOrderer(store, mempool, network, std::move(key),
                                                     std::move(options), std::move(on_committed)));
  BftOrderer& self = *orderer;
  consensus::RecoveryState recovery;
  const Tip tip = store.tip();
  if (tip.height > 0) recovery.committed_root = self.host_.ReadCommitted(tip.height);
  if (auto stored = store.GetSafetyData(kConsensusStateKey)) {
    MBL_RETURN_IF_ERROR(DecodeConsensusState(*stored, recovery)
                            .WithContext("recovering consensus state; restore the data directory "
                                         "from a backup, or wipe it and let the node catch up"));
  }
  std::erase_if(recovery.voted_blocks,
                [&](const consensus::Block& block) { return block.height <= tip.height; });
  self.voted_blocks_ = recovery.voted_blocks;
  consensus::ConsensusConfig config{std::move(validators), self.options_.self,
                                    self.options_.chain_id, self.host_.genesis(),
                                    self.options_.timeouts};
  self.core_ = std::make_unique<consensus::ConsensusCore>(
      std::move(config),
      consensus::ConsensusDependencies{self.host_, self.host_, self.signer_, self.host_},
      std::move(recovery));
  self.thread_ = std::thread([&self] { self.Run(); });
  return orderer;
}

BftOrderer::~BftOrderer() { Stop(); }

void BftOrderer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void BftOrderer::OnConsensusFrame(std::uint32_t from, std::string body) {
  std::lock_guard lock(mutex_);
  if (stopping_ || queued_bytes_ + body.size() > kEventQueueBytesMax) {
    ++status_.messages_refused;
    return;
  }
  queued_bytes_ += body.size();
  events_.push_back(Event{from, std::move(body), false});
  wake_.notify_one();
}

void BftOrderer::PayloadReady() {
  std::lock_guard lock(mutex_);
  // One pending notice is enough: the leader proposes whatever the mempool holds by then.
  for (const Event& event : events_) {
    if (event.payload_ready) return;
  }
  events_.push_back(Event{0, {}, true});
  wake_.notify_one();
}

BftStatus BftOrderer::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void BftOrderer::Run() {
  Apply(core_->Start());
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto due = [&] { return timer_ && std::chrono::steady_clock::now() >= timer_->second; };
    if (events_.empty() && !due()) {
      if (timer_) {
        wake_.wait_until(lock, timer_->second);
      } else {
        wake_.wait(lock);
      }
      continue;
    }
    if (!status_.error.ok()) {  // stalled by a storage error: retry, take no input meanwhile
      wake_.wait_for(lock, std::chrono::milliseconds(limits::kStorageRetryIntervalMs),
                     [&] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      if (Status resumed = store_.RecoverFromWriteError(); !resumed.ok()) {
        Log(LogLevel::kDebug, "storage_resume_failed", {{"error", resumed.ToString()}});
      }
      Drain();
      lock.lock();
      continue;
    }
    if (!events_.empty()) {
      Event event = std::move(events_.front());
      events_.pop_front();
      queued_bytes_ -= event.body.size();
      lock.unlock();
      if (event.payload_ready) {
        Apply(core_->OnPayloadReady());
      } else if (auto message = consensus::DecodeMessage(event.body); message.ok()) {
        Apply(core_->OnMessage(event.from, *message));
      } else {
        Log(LogLevel::kDebug, "consensus_frame_refused",
            {{"from", event.from}, {"error", message.status().ToString()}});
        std::lock_guard relock(mutex_);
        ++status_.messages_refused;
      }
    } else {
      const consensus::Round round = timer_->first;
      timer_.reset();
      { ++status_.local_timeouts; }
      lock.unlock();
      Apply(core_->OnLocalTimeout(round));
    }
    lock.lock();
  }
}

void BftOrderer::Apply(consensus::Output output) {
  if (!output.status.ok()) {
    Log(LogLevel::kDebug, "consensus_input_refused", {{"error", output.status.ToString()}});
    std::lock_guard lock(mutex_);
    ++status_.messages_refused;
  }
  for (auto& action : output.actions) actions_.push_back(std::move(action));
  Drain();
}

// Carries out the queued actions in order. A storage failure (disk full, read-only data
// directory) leaves the failed action at the front and stalls ordering: Run() retries it every
// limits::kStorageRetryIntervalMs and feeds the core nothing meanwhile, so nothing is skipped or
// reordered.
void BftOrderer::Drain() {
  while (!actions_.empty()) {
    Status status = Carry(actions_.front());
    if (!status.ok()) return Stall(std::move(status));
    actions_.pop_front();
  }
  std::lock_guard lock(mutex_);
  if (!status_.error.ok()) {
    Log(LogLevel::kInfo, "ordering_resumed", {{"after", status_.error.ToString()}});
    status_.error = Status::Ok();
  }
  const consensus::Round round = core_->current_round();
  if (round != status_.round) ++status_.rounds_entered;
  status_.round = round;
  status_.leader = core_->leader_of(round);
  status_.committed_height = core_->committed_height();
}

Status BftOrderer::Carry(const consensus::Action& action) {
  using namespace consensus;
  if (const auto* proposal = std::get_if<BroadcastProposal>(&action)) {
    BroadcastMessage(proposal->proposal);
  } else if (const auto* vote = std::get_if<SendVote>(&action)) {
    SendMessage(vote->to, vote->vote);
  } else if (const auto* timeout = std::get_if<BroadcastTimeout>(&action)) {
    BroadcastMessage(timeout->timeout);
  } else if (const auto* sync = std::get_if<SendSyncInfo>(&action)) {
    SendMessage(sync->to, sync->sync_info);
  } else if (const auto* request = std::get_if<RequestBlocks>(&action)) {
    SendMessage(request->to, request->request);
  } else if (const auto* send = std::get_if<SendBlocks>(&action)) {
    // A response must fit one frame: send fewer blocks (the peer asks again for the rest).
    BlockResponse response = send->response;
    while (response.blocks.size() > 1 &&
           EncodeMessage(response).size() + 1 > limits::kFrameBytesMax) {
      response.blocks.pop_back();
    }
    SendMessage(send->to, response);
  } else if (const auto* persist = std::get_if<PersistSafetyData>(&action)) {
    MBL_RETURN_IF_ERROR(PersistSafety(*persist));
    // Released votes and timeouts run after what is already queued, as the core expects.
    consensus::Output released = core_->OnSafetyDataPersisted(persist->sequence);
    for (auto& next : released.actions) actions_.push_back(std::move(next));
  } else if (const auto* commit = std::get_if<CommitBlocks>(&action)) {
    MBL_RETURN_IF_ERROR(CommitAll(*commit));
  } else if (const auto* schedule = std::get_if<ScheduleTimeout>(&action)) {
    std::lock_guard lock(mutex_);
    timer_ = std::make_pair(schedule->round, std::chrono::steady_clock::now() +
                                                 std::chrono::milliseconds(schedule->duration_ms));
  }
  return Status::Ok();
}

Status BftOrderer::PersistSafety(const consensus::PersistSafetyData& persist) {
  if (persist.voted_block &&
      std::none_of(voted_blocks_.begin(), voted_blocks_.end(), [&](const consensus::Block& held) {
        return held.id == persist.voted_block->id;
      })) {
    voted_blocks_.push_back(*persist.voted_block);
  }
  const consensus::Height committed = store_.tip().height;
  std::erase_if(voted_blocks_,
                [&](const consensus::Block& block) { return block.height <= committed; });
  auto start = std::chrono::steady_clock::now();
  MBL_RETURN_IF_ERROR(store_
                          .PutSafetyData(kConsensusStateKey,
                                         EncodeConsensusState(persist.safety_data, voted_blocks_))
                          .WithContext("persisting consensus safety data"));
  std::lock_guard lock(mutex_);
  ++status_.safety_writes;
  status_.safety_write_seconds_total += SecondsSince(start);
  return Status::Ok();
}

Status BftOrderer::CommitAll(const consensus::CommitBlocks& commit) {
  for (const consensus::CommittedBlock& block : commit.blocks) {
    if (block.block.height <= store_.tip().height) continue;  // already stored before a restart
    auto start = std::chrono::steady_clock::now();
    auto ids = host_.Commit(block);
    if (!ids.ok())
      return ids.status().WithContext("committing block " + std::to_string(block.block.height));
    {
      std::lock_guard lock(mutex_);
      ++status_.blocks_committed;
      status_.commit_write_seconds_total += SecondsSince(start);
    }
    mempool_.Remove(*ids);
    on_committed_(*ids);
  }
  std::lock_guard lock(mutex_);
  status_.last_commit_qc = commit.commit_qc;
  return Status::Ok();
}

void BftOrderer::SendMessage(std::uint32_t to, const consensus::Message& message) {
  std::string frame(1, static_cast<char>(FrameKind::kConsensus));
  frame += consensus::EncodeMessage(message);
  network_.Send(to, std::move(frame));
}

void BftOrderer::BroadcastMessage(const consensus::Message& message) {
  std::string frame(1, static_cast<char>(FrameKind::kConsensus));
  frame += consensus::EncodeMessage(message);
  network_.Broadcast(frame);
}

void BftOrderer::Stall(Status status) {
  std::lock_guard lock(mutex_);
  if (status_.error.ok()) {
    Log(LogLevel::kError, "ordering_stalled",
        {{"error", status.ToString()},
         {"detail",
          "the node stopped committing and retries every second; free disk space or "
          "make the data directory writable and it resumes by itself"}});
  }
  status_.error = std::move(status);
}

}  // namespace mbl::node
