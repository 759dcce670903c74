#include "node/bft_replica.h"

#include <algorithm>
#include <chrono>

#include "base/big_endian.h"
#include "base/limits.h"
#include "consensus/codec.h"
#include "crypto/encoding.h"
#include "node/log.h"

namespace mbl::node {

using formats::CommitProof;

namespace {

// The safety data and the voted blocks share one key, so one synced write covers both.
constexpr std::string_view kConsensusStateKey = "consensus_state";

using big_endian::PutU32;
using big_endian::PutU64;
using big_endian::TakeBytes;

bool TakeU32(std::string_view& in, std::uint32_t& value) {
  std::uint64_t wide = 0;
  if (!big_endian::TakeUint(in, 4, wide)) return false;
  value = static_cast<std::uint32_t>(wide);
  return true;
}

bool TakeU64(std::string_view& in, std::uint64_t& value) {
  return big_endian::TakeUint(in, 8, value);
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

// The key of an epoch's safety data (epoch 0 keeps the key of ledgers before epochs).
std::string SafetyKeyOf(std::uint64_t epoch) {
  if (epoch == 0) return std::string(kConsensusStateKey);
  return std::string(kConsensusStateKey) + "/" + std::to_string(epoch);
}

constexpr std::int64_t kSyncRetryMs = limits::kEpochSyncRetryMs;
constexpr std::int64_t kNoticeIntervalMs = limits::kEpochNoticeIntervalMs;

std::int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

BftOrdererOptions WithClock(BftOrdererOptions options) {
  if (!options.monotonic_clock) options.monotonic_clock = SteadyNowMs;
  return options;
}

}  // namespace

BftReplica::BftReplica(Store& store, Mempool& mempool, Committer& committer, crypto::KeyPair key,
                       BftOrdererOptions options, InputFn on_input)
    : store_(store),
      mempool_(mempool),
      committer_(committer),
      key_(std::move(key)),
      options_(WithClock(std::move(options))),
      on_input_(std::move(on_input)),
      signer_(key_) {}

Result<std::unique_ptr<BftReplica>> BftReplica::Create(Store& store, Mempool& mempool,
                                                       Committer& committer, crypto::KeyPair key,
                                                       BftOrdererOptions options,
                                                       InputFn on_input) {
  std::unique_ptr<BftReplica> replica(new BftReplica(store, mempool, committer, std::move(key),
                                                     std::move(options), std::move(on_input)));
  MBL_RETURN_IF_ERROR(replica->BeginEpoch());
  return replica;
}

std::string BftReplica::SafetyKey() const { return SafetyKeyOf(epoch_.number); }

Status BftReplica::BeginEpoch() {
  MBL_ASSIGN_OR_RETURN(EpochSetup setup,
                       ReadEpochSetup(store_, options_.chain_id, key_.public_key));
  const bool new_epoch = !epoch_started_ || setup.number != epoch_.number;
  if (new_epoch && epoch_started_) {
    Log(LogLevel::kInfo, "epoch_started",
        {{"epoch", setup.number},
         {"base_height", setup.genesis.height},
         {"validators", setup.validators.size()},
         {"role", setup.self ? "validator" : "follower"}});
  }
  if (setup.validators.size() < 2) {
    return FailedPrecondition("epoch " + std::to_string(setup.number) + " has " +
                              std::to_string(setup.validators.size()) +
                              " validator: BFT ordering needs at least 2");
  }
  core_.reset();
  actions_.clear();
  epoch_ended_ = false;
  const std::uint64_t previous_epoch = epoch_.number;
  epoch_ = std::move(setup);
  epoch_started_ = true;

  BftHostOptions host = options_.host;
  host.validators = epoch_.keys();
  host.root = epoch_.genesis;
  host_ = std::make_unique<BftHost>(store_, mempool_, committer_, host);

  if (new_epoch) {
    if (previous_epoch != epoch_.number && epoch_.number > 0) {
      // The previous epoch's safety data guards nothing any more: its signatures do not count
      // in this epoch's domain.
      (void)store_.PutSafetyData(SafetyKeyOf(previous_epoch), "");
    }
    NetworkSetup network;
    network.chain_id = options_.chain_id;
    network.self = epoch_.self;
    network.validators = epoch_.validators;
    const std::uint64_t generation = ++generation_;
    std::unique_ptr<PeerNetwork> old;
    {
      std::lock_guard lock(network_mutex_);
      old = std::move(network_);
    }
    old.reset();  // joins its link thread before the new links bind the same port
    MBL_ASSIGN_OR_RETURN(
        auto made,
        options_.make_network(network, [this, generation](std::uint32_t from, std::string frame) {
          Deliver(generation, from, std::move(frame));
        }));
    std::lock_guard lock(network_mutex_);
    network_ = std::move(made);
  }

  voted_blocks_.clear();
  {
    std::lock_guard lock(mutex_);
    timer_.reset();
    status_.epoch = epoch_.number;
    status_.validator = epoch_.self.has_value();
    status_.validators = epoch_.keys();
    status_.self = epoch_.self;
    if (new_epoch) {
      status_.last_commit_qc.reset();
      status_.syncing = false;  // frames of a later epoch, if any, start it again
    }
  }
  if (!epoch_.self) return Status::Ok();  // a follower: it only catches up (RequestSync)

  MBL_ASSIGN_OR_RETURN(consensus::ValidatorSet validators,
                       consensus::ValidatorSet::Create(epoch_.keys()));
  consensus::RecoveryState recovery;
  const Tip tip = store_.tip();
  if (tip.height > epoch_.genesis.height)
    recovery.committed_root = host_->ReadCommitted(tip.height);
  if (auto stored = store_.GetSafetyData(SafetyKey()); stored && !stored->empty()) {
    MBL_RETURN_IF_ERROR(DecodeConsensusState(*stored, recovery)
                            .WithContext("recovering consensus state; restore the data directory "
                                         "from a backup, or wipe it and let the node catch up"));
  }
  std::erase_if(recovery.voted_blocks,
                [&](const consensus::Block& block) { return block.height <= tip.height; });
  voted_blocks_ = recovery.voted_blocks;
  consensus::ConsensusConfig config{std::move(validators), *epoch_.self, epoch_.domain,
                                    epoch_.genesis, options_.timeouts};
  core_ = std::make_unique<consensus::ConsensusCore>(
      std::move(config), consensus::ConsensusDependencies{*host_, *host_, signer_, *host_},
      std::move(recovery));
  return Status::Ok();
}

BftReplica::~BftReplica() { Close(); }

void BftReplica::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    events_.clear();
    queued_bytes_ = 0;
  }
  std::unique_ptr<PeerNetwork> network;
  {
    std::lock_guard lock(network_mutex_);
    network = std::move(network_);
  }
  network.reset();  // joins the link thread: no frame arrives after this
}

void BftReplica::BroadcastRecords(const std::string& frame) {
  std::lock_guard lock(network_mutex_);
  if (network_) network_->Broadcast(frame);
}

void BftReplica::Deliver(std::uint64_t generation, std::uint32_t from, std::string frame) {
  if (frame.empty()) return;
  if (static_cast<FrameKind>(frame[0]) == FrameKind::kRecords) {
    if (options_.on_records) options_.on_records(from, std::string_view(frame).substr(1));
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (closed_ || queued_bytes_ + frame.size() > limits::kOrderingQueueBytesMax) {
      ++status_.messages_refused;
      return;
    }
    queued_bytes_ += frame.size();
    events_.push_back(Event{generation, from, std::move(frame), false});
  }
  if (on_input_) on_input_();
}

void BftReplica::PayloadReady() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    // One pending notice is enough: the leader proposes whatever the mempool holds by then.
    for (const Event& event : events_) {
      if (event.payload_ready) return;
    }
    events_.push_back(Event{0, 0, {}, true});
  }
  if (on_input_) on_input_();
}

BftStatus BftReplica::status() const {
  BftStatus status;
  {
    std::lock_guard lock(mutex_);
    status = status_;
  }
  std::lock_guard lock(network_mutex_);
  if (network_) status.links = network_->Links();
  return status;
}

void BftReplica::Start() {
  if (core_) Apply(core_->Start());
  if (!epoch_.self) RequestSync(std::nullopt);
}

bool BftReplica::Behind() const {
  std::lock_guard lock(mutex_);
  return !epoch_.self || status_.syncing;
}

std::optional<std::int64_t> BftReplica::NextWakeMs() const {
  if (storage_retry_ms_) return storage_retry_ms_;
  std::optional<std::int64_t> wake;
  if (timer_) wake = timer_->second;
  if (Behind()) {  // a follower, or a validator whose peers are in a later epoch, asks again
    const std::int64_t sync_ms = sync_requested_ms_ ? *sync_requested_ms_ + kSyncRetryMs : 0;
    wake = wake ? std::min(*wake, sync_ms) : sync_ms;
  }
  return wake;
}

bool BftReplica::Step() {
  const std::int64_t now_ms = NowMs();
  if (storage_retry_ms_) {  // stalled by a storage error: retry, take no input meanwhile
    if (now_ms < *storage_retry_ms_) return false;
    RetryStalledWrite();
    BeginNextEpochIfEnded();
    return true;
  }
  std::optional<Event> event;
  {
    std::lock_guard lock(mutex_);
    if (!events_.empty()) {
      event = std::move(events_.front());
      events_.pop_front();
      queued_bytes_ -= event->frame.size();
    }
  }
  if (event) {
    HandleEvent(std::move(*event));
  } else if (timer_ && now_ms >= timer_->second) {
    const consensus::Round round = timer_->first;
    timer_.reset();
    {
      std::lock_guard lock(mutex_);
      ++status_.local_timeouts;
    }
    if (core_) Apply(core_->OnLocalTimeout(round));
  } else if (Behind() && (!sync_requested_ms_ || now_ms >= *sync_requested_ms_ + kSyncRetryMs)) {
    RequestSync(std::nullopt);
  } else {
    return false;
  }
  BeginNextEpochIfEnded();
  return true;
}

void BftReplica::BeginNextEpochIfEnded() {
  if (!epoch_ended_) return;
  if (Status begun = BeginEpoch(); !begun.ok()) {
    Stall(begun.WithContext("starting the next epoch"));
  } else if (core_) {
    Apply(core_->Start());
  }
}

void BftReplica::RetryStalledWrite() {
  storage_retry_ms_.reset();
  if (Status resumed = store_.RecoverFromWriteError(); !resumed.ok()) {
    Log(LogLevel::kDebug, "storage_resume_failed", {{"error", resumed.ToString()}});
  }
  Drain();
}

void BftReplica::HandleEvent(Event event) {
  if (event.payload_ready) {
    if (core_) Apply(core_->OnPayloadReady());
    return;
  }
  if (event.generation != generation_) return;  // from the links of an earlier epoch
  const auto kind = static_cast<FrameKind>(event.frame[0]);
  std::string_view body = std::string_view(event.frame).substr(1);
  switch (kind) {
    case FrameKind::kConsensus:
      return HandleConsensusFrame(event.from, body);
    case FrameKind::kSyncRequest:
      return HandleSyncRequest(event.from, body);
    case FrameKind::kSyncResponse:
      return HandleSyncResponse(event.from, body);
    case FrameKind::kEpochNotice: {
      std::uint64_t epoch = 0;
      if (TakeU64(body, epoch) && body.empty() && epoch > epoch_.number) RequestSync(event.from);
      return;
    }
    default: {
      std::lock_guard lock(mutex_);
      ++status_.messages_refused;
    }
  }
}

void BftReplica::HandleConsensusFrame(std::uint32_t from, std::string_view body) {
  std::uint64_t epoch = 0;
  if (!TakeU64(body, epoch)) {
    std::lock_guard lock(mutex_);
    ++status_.messages_refused;
    return;
  }
  if (epoch > epoch_.number) return RequestSync(from);  // we are behind: catch up first
  if (epoch < epoch_.number) return NoticeEpoch(from);  // the peer is behind: tell it
  if (!core_) return;
  if (auto message = consensus::DecodeMessage(body); message.ok()) {
    Apply(core_->OnMessage(from, *message));
  } else {
    Log(LogLevel::kDebug, "consensus_frame_refused",
        {{"from", from}, {"error", message.status().ToString()}});
    std::lock_guard lock(mutex_);
    ++status_.messages_refused;
  }
}

void BftReplica::NoticeEpoch(std::uint32_t to) {
  const std::int64_t now_ms = NowMs();
  auto [it, inserted] = noticed_ms_.try_emplace(to, now_ms);
  if (!inserted && now_ms < it->second + kNoticeIntervalMs) return;
  it->second = now_ms;
  std::string body;
  PutU64(body, epoch_.number);
  SendFrame(to, FrameKind::kEpochNotice, std::move(body));
}

void BftReplica::RequestSync(std::optional<std::uint32_t> from) {
  const std::int64_t now_ms = NowMs();
  if (sync_requested_ms_) {
    if (!from && now_ms < *sync_requested_ms_ + kSyncRetryMs) return;
    if (from && now_ms < *sync_requested_ms_ + kSyncRetryMs / 5) return;
  }
  sync_requested_ms_ = now_ms;
  if (from) {
    sync_peer_ = *from;
  } else {
    // No hint: ask the validators of the epoch in turn.
    sync_peer_ = static_cast<std::uint32_t>((sync_peer_ + 1) % epoch_.validators.size());
    if (epoch_.self && sync_peer_ == *epoch_.self) {
      sync_peer_ = static_cast<std::uint32_t>((sync_peer_ + 1) % epoch_.validators.size());
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (epoch_.self && !status_.syncing) {
      Log(LogLevel::kInfo, "epoch_sync_started",
          {{"epoch", epoch_.number}, {"height", store_.tip().height}, {"peer", sync_peer_}});
    }
    status_.syncing = epoch_.self.has_value() || status_.syncing;
  }
  std::string body;
  PutU64(body, epoch_.number);
  PutU64(body, store_.tip().height);
  SendFrame(sync_peer_, FrameKind::kSyncRequest, std::move(body));
}

void BftReplica::HandleSyncRequest(std::uint32_t from, std::string_view body) {
  std::uint64_t epoch = 0;
  std::uint64_t height = 0;
  if (!TakeU64(body, epoch) || !TakeU64(body, height) || !body.empty()) return;
  if (epoch >= epoch_.number) return;  // the same epoch catches up through consensus
  auto chunk = BuildSyncChunk(store_, epoch, height, limits::kFrameBytesMax / 2);
  if (!chunk.ok()) {
    Log(LogLevel::kDebug, "sync_request_not_served",
        {{"from", from}, {"error", chunk.status().ToString()}});
    return;
  }
  SendFrame(from, FrameKind::kSyncResponse, formats::EncodeSyncChunk(*chunk));
}

void BftReplica::HandleSyncResponse(std::uint32_t from, std::string_view body) {
  auto chunk = formats::DecodeSyncChunk(body);
  Result<std::vector<consensus::CommittedBlock>> blocks =
      chunk.ok() ? VerifySyncChunk(*chunk, epoch_, store_) : chunk.status();
  if (!blocks.ok()) {
    Log(LogLevel::kWarn, "sync_response_refused",
        {{"from", from}, {"error", blocks.status().ToString()}});
    std::lock_guard lock(mutex_);
    ++status_.messages_refused;
    return;
  }
  // The blocks change the store behind the core's back: it restarts from the store afterwards,
  // as after a restart of the node.
  core_.reset();
  actions_.clear();
  Status stored = Status::Ok();
  for (std::size_t i = 0; i < blocks->size() && stored.ok() && !epoch_ended_; ++i) {
    auto end_proof = [&] {
      CommitProof proof;
      for (std::size_t j = i; j < blocks->size(); ++j) proof.push_back((*blocks)[j].qc);
      proof.insert(proof.end(), chunk->proof.begin() + 1, chunk->proof.end());
      return proof;
    };
    stored = CommitOne((*blocks)[i], end_proof);
  }
  if (!stored.ok()) {
    Stall(stored.WithContext("storing blocks fetched from validator " + std::to_string(from)));
  }
  if (epoch_ended_) return;  // Step begins the next epoch
  if (Status begun = BeginEpoch(); !begun.ok()) return Stall(begun);
  if (core_) Apply(core_->Start());
  if (stored.ok()) {
    sync_requested_ms_.reset();
    RequestSync(from);  // more of the epoch to fetch
  }
}

void BftReplica::Apply(consensus::Output output) {
  if (!output.status.ok()) {
    Log(LogLevel::kDebug, "consensus_input_refused", {{"error", output.status.ToString()}});
    std::lock_guard lock(mutex_);
    ++status_.messages_refused;
  }
  for (auto& action : output.actions) actions_.push_back(std::move(action));
  Drain();
}

// Carries out the queued actions in order. A storage failure (disk full, read-only data
// directory) leaves the failed action at the front and stalls ordering: Step retries it every
// limits::kStorageRetryIntervalMs and feeds the core nothing meanwhile, so nothing is skipped or
// reordered.
void BftReplica::Drain() {
  while (!actions_.empty()) {
    Status status = Carry(actions_.front());
    if (!status.ok()) return Stall(std::move(status));
    actions_.pop_front();
    // The rest is the ended epoch's (votes, timeouts): the next epoch starts afresh (Step).
    if (epoch_ended_) actions_.clear();
  }
  storage_retry_ms_.reset();
  std::lock_guard lock(mutex_);
  if (!status_.error.ok()) {
    Log(LogLevel::kInfo, "ordering_resumed", {{"after", status_.error.ToString()}});
    status_.error = Status::Ok();
  }
  if (!core_) return;
  const consensus::Round round = core_->current_round();
  if (round != status_.round) ++status_.rounds_entered;
  status_.round = round;
  status_.leader = core_->leader_of(round);
  status_.committed_height = core_->committed_height();
}

Status BftReplica::Carry(const consensus::Action& action) {
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
    if (options_.inject_vote_before_persist_bug) {
      consensus::Output released = core_->OnSafetyDataPersisted(persist->sequence);
      for (const auto& next : released.actions) MBL_RETURN_IF_ERROR(Carry(next));
      return PersistSafety(*persist);
    }
    MBL_RETURN_IF_ERROR(PersistSafety(*persist));
    // Released votes and timeouts run after what is already queued, as the core expects.
    consensus::Output released = core_->OnSafetyDataPersisted(persist->sequence);
    for (auto& next : released.actions) actions_.push_back(std::move(next));
  } else if (const auto* commit = std::get_if<CommitBlocks>(&action)) {
    MBL_RETURN_IF_ERROR(CommitAll(*commit));
  } else if (const auto* schedule = std::get_if<ScheduleTimeout>(&action)) {
    timer_ =
        std::make_pair(schedule->round, NowMs() + static_cast<std::int64_t>(schedule->duration_ms));
  }
  return Status::Ok();
}

Status BftReplica::PersistSafety(const consensus::PersistSafetyData& persist) {
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
  MBL_RETURN_IF_ERROR(
      store_.PutSafetyData(SafetyKey(), EncodeConsensusState(persist.safety_data, voted_blocks_))
          .WithContext("persisting consensus safety data"));
  std::lock_guard lock(mutex_);
  ++status_.safety_writes;
  status_.safety_write_seconds_total += SecondsSince(start);
  return Status::Ok();
}

Status BftReplica::CommitOne(const consensus::CommittedBlock& block,
                             const std::function<CommitProof()>& end_proof) {
  if (block.block.height <= store_.tip().height) return Status::Ok();  // stored before a restart
  auto start = std::chrono::steady_clock::now();
  const std::string where = "committing block " + std::to_string(block.block.height);
  MBL_ASSIGN_OR_RETURN(bool ends_epoch, host_->EnsureExecuted(block.block));
  if (ends_epoch) {
    // Kept before the block, so that a node whose state is in the next epoch can always prove
    // how it got there.
    MBL_RETURN_IF_ERROR(PutEpochEnd(store_, epoch_.number, end_proof()).WithContext(where));
  }
  MBL_RETURN_IF_ERROR(host_->Commit(block).WithContext(where));
  {
    std::lock_guard lock(mutex_);
    ++status_.blocks_committed;
    status_.commit_write_seconds_total += SecondsSince(start);
    status_.committed_height = block.block.height;
  }
  if (ends_epoch) {
    Log(LogLevel::kInfo, "epoch_ended", {{"epoch", epoch_.number}, {"height", block.block.height}});
    epoch_ended_ = true;
  }
  return Status::Ok();
}

Status BftReplica::CommitAll(const consensus::CommitBlocks& commit) {
  for (std::size_t i = 0; i < commit.blocks.size(); ++i) {
    // Blocks after a set change are the epoch's empty tail: never stored.
    auto end_proof = [&] {
      CommitProof proof;
      for (std::size_t j = i; j < commit.blocks.size(); ++j) proof.push_back(commit.blocks[j].qc);
      proof.push_back(commit.commit_qc);
      return proof;
    };
    MBL_RETURN_IF_ERROR(CommitOne(commit.blocks[i], end_proof));
    if (epoch_ended_) return Status::Ok();
  }
  std::lock_guard lock(mutex_);
  status_.last_commit_qc = commit.commit_qc;
  return Status::Ok();
}

void BftReplica::SendFrame(std::uint32_t to, FrameKind kind, std::string body) {
  std::string frame(1, static_cast<char>(kind));
  frame += body;
  std::lock_guard lock(network_mutex_);
  if (network_) network_->Send(to, std::move(frame));
}

void BftReplica::SendMessage(std::uint32_t to, const consensus::Message& message) {
  std::string body;
  PutU64(body, epoch_.number);
  SendFrame(to, FrameKind::kConsensus, body + consensus::EncodeMessage(message));
}

void BftReplica::BroadcastMessage(const consensus::Message& message) {
  std::string frame(1, static_cast<char>(FrameKind::kConsensus));
  PutU64(frame, epoch_.number);
  frame += consensus::EncodeMessage(message);
  std::lock_guard lock(network_mutex_);
  if (network_) network_->Broadcast(frame);
}

void BftReplica::Stall(Status status) {
  storage_retry_ms_ = NowMs() + static_cast<std::int64_t>(limits::kStorageRetryIntervalMs);
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
