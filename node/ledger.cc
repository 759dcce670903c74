#include "node/ledger.h"

#include <algorithm>
#include <set>

#include "base/limits.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/record_json.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "formats/records_payload.h"
#include "node/epoch.h"
#include "node/log.h"

namespace mbl::node {

using formats::Block;
using formats::BlockHeader;
using formats::DecodeRecordsPayload;
using formats::EncodeRecordsPayload;

namespace {

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A record of `kind` can never become valid, so admission refuses it now, except a rule
// violation: the state may change before the record is ordered, and the log records the verdict.
Code RefusalCode(chaincode::RefusalKind kind) {
  switch (kind) {
    case chaincode::RefusalKind::kRuleViolation:
      return Code::kOk;
    case chaincode::RefusalKind::kInvalid:
      return Code::kInvalidArgument;
    case chaincode::RefusalKind::kNotAuthorized:
      return Code::kPermissionDenied;
    case chaincode::RefusalKind::kUnauthenticated:
      return Code::kUnauthenticated;
    case chaincode::RefusalKind::kAlreadyExists:
      return Code::kAlreadyExists;
  }
  MBL_CHECK_MSG(false, "unknown refusal kind");
  return Code::kInternal;
}

}  // namespace

Status AdmissionRefusal(const chaincode::Rejection& rejection) {
  const Code code = RefusalCode(rejection.kind);
  if (code == Code::kOk) return Status::Ok();
  return Status(code, "rule " + rejection.rule + ": " + rejection.message);
}

Ledger::Ledger(LedgerOptions options, crypto::KeyPair node_key)
    : options_(std::move(options)), node_key_(std::move(node_key)) {
  if (!options_.clock) options_.clock = SystemNowMs;
  if (options_.mempool_records_max == 0) options_.mempool_records_max = limits::kMempoolRecordsMax;
  if (options_.mempool_bytes_max == 0) options_.mempool_bytes_max = limits::kMempoolBytesMax;
  if (options_.ordering.block_records_max == 0) {
    options_.ordering.block_records_max = limits::kBlockRecordsMax;
  }
  if (options_.clock_allowance_ms == 0) {
    options_.clock_allowance_ms = limits::kBlockClockAllowanceMs;
  }
  if (options_.ordering.block_bytes_max == 0) {
    options_.ordering.block_bytes_max = limits::kBlockBytesMax / 2;
  }
}

Result<std::unique_ptr<Ledger>> Ledger::Open(LedgerOptions options, crypto::KeyPair node_key) {
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(options), std::move(node_key)));
  MBL_ASSIGN_OR_RETURN(ledger->store_,
                       Store::Open(ledger->options_.data_dir, ledger->options_.store));
  MBL_RETURN_IF_ERROR(ledger->store_->CheckIntegrity().WithContext("integrity check"));
  ledger->mempool_ = std::make_unique<Mempool>(ledger->options_.mempool_records_max,
                                               ledger->options_.mempool_bytes_max);
  ledger->committer_ = std::make_unique<Committer>(
      *ledger->store_, *ledger->mempool_,
      [self = ledger.get()](const std::vector<chaincode::RecordId>& ids) {
        self->OnCommitted(ids);
      });
  MBL_RETURN_IF_ERROR(ledger->CommitGenesisOrCheck());
  ledger->genesis_json_ = chaincode::EnvelopeToJson(ledger->options_.genesis).dump();
  ledger->chain_id_hex_ =
      crypto::ToHex(chaincode::ComputeRecordId(ledger->options_.genesis.payload));
  MBL_RETURN_IF_ERROR(ledger->StartOrdering());
  Ledger* self = ledger.get();
  ledger->reaper_ = std::thread([self] { self->ReapExpiredWaiters(); });
  Tip tip = ledger->store_->tip();
  Log(LogLevel::kInfo, "ledger_open",
      {{"height", tip.height},
       {"tip", crypto::ToHex(tip.hash)},
       {"validator", crypto::ToHex(ledger->node_key_.public_key)}});
  return ledger;
}

Ledger::~Ledger() { Stop(); }

Status Ledger::StartOrdering() {
  auto snapshot = store_->Snapshot();
  auto chain = chaincode::GetChain(*snapshot);
  if (!chain) return DataLoss("the ledger state has no chain record; wipe the data directory");
  crypto::Hash256 chain_id{};
  if (chain->chain_id.size() != chain_id.size()) {
    return DataLoss("the chain id in the ledger state is not 32 bytes");
  }
  std::copy(chain->chain_id.begin(), chain->chain_id.end(), chain_id.begin());
  MBL_ASSIGN_OR_RETURN(EpochSetup epoch, ReadEpochSetup(*store_, chain_id, node_key_.public_key));
  if (epoch.validators.size() > 1) return StartBftOrdering(chain_id);
  if (!epoch.self) {
    return FailedPrecondition(
        "this node's key " + crypto::ToHex(node_key_.public_key) +
        " is not in the ledger's validator set (its one validator); use the key "
        "named in the genesis");
  }
  orderer_ = std::make_unique<SingleNodeOrderer>(*mempool_, options_.ordering, options_.clock,
                                                 store_->tip().time_ms);
  orderer_->Start([this](const OrderedBatch& batch) { return CommitBatch(batch); });
  return Status::Ok();
}

Status Ledger::StartBftOrdering(const crypto::Hash256& chain_id) {
  if (!options_.make_network) {
    return FailedPrecondition(
        "the ledger has several validators but this node has no validator links configured");
  }
  BftOrdererOptions bft;
  bft.chain_id = chain_id;
  bft.timeouts = options_.timeouts;
  bft.host.block_records_max = options_.ordering.block_records_max;
  bft.host.block_bytes_max = options_.ordering.block_bytes_max;
  bft.host.clock_allowance_ms = options_.clock_allowance_ms;
  bft.host.clock = options_.clock;
  bft.make_network = options_.make_network;
  bft.monotonic_clock = options_.monotonic_clock;
  bft.driven_by_caller = options_.ordering_driven_by_caller;
  bft.inject_vote_before_persist_bug = options_.inject_vote_before_persist_bug;
  bft.on_records = [this](std::uint32_t from, std::string_view records) {
    OnPeerRecords(from, records);
  };
  MBL_ASSIGN_OR_RETURN(
      bft_,
      BftOrderer::Start(*store_, *mempool_, *committer_,
                        crypto::KeyPair::FromSeed(node_key_.secret_key.seed()), std::move(bft)));
  bft_ready_ = bft_.get();
  return Status::Ok();
}

void Ledger::OnPeerRecords(std::uint32_t from, std::string_view frame_body) {
  BftOrderer* bft = bft_ready_.load();
  if (bft == nullptr) return;
  auto records = DecodeRecordsPayload(frame_body);
  if (!records.ok()) {
    Log(LogLevel::kWarn, "peer_records_refused",
        {{"from", from}, {"error", records.status().ToString()}});
    return;
  }
  // A peer's client submitted these; admission here is the same as for a local client, except
  // that they are not forwarded again (every validator got them from the first node).
  bool added = false;
  for (auto& record : *records) {
    chaincode::RecordId id = chaincode::ComputeRecordId(record.payload);
    // The node the client used ran the dry run; consensus judges the record in any case.
    if (Screen(record, id).ok() && mempool_->Add(id, std::move(record)).ok()) added = true;
  }
  if (added) bft->PayloadReady();
}

void Ledger::OnCommitted(const std::vector<chaincode::RecordId>& ids) {
  {
    // A block is durable, so a stall of the N = 1 orderer is over: cleared before the waiters
    // hear of the commit, so that they find the node healthy.
    std::lock_guard lock(commit_error_mutex_);
    commit_error_ = Status::Ok();
  }
  last_commit_ms_ = Now();
  NotifyCommitted(ids);
}

Status Ledger::SingleNodeCommitError() const {
  std::lock_guard lock(commit_error_mutex_);
  return commit_error_;
}

Status Ledger::OrderingHealth() const {
  if (orderer_) return SingleNodeCommitError();
  if (bft_) return bft_->status().error;
  return Unavailable("ordering has not started");
}

void Ledger::Stop() {
  if (orderer_) orderer_->Stop();
  bft_ready_ = nullptr;
  if (bft_) bft_->Stop();  // closes the validator links: no frame arrives after this
  {
    std::lock_guard lock(waiters_mutex_);
    stopping_ = true;
    waiters_changed_.notify_all();
  }
  if (reaper_.joinable()) reaper_.join();
  // Whoever still waits is told now (their records were not committed).
  std::vector<std::shared_ptr<Waiter>> pending;
  {
    std::lock_guard lock(waiters_mutex_);
    pending.swap(waiters_);
    waiters_by_id_.clear();
  }
  for (auto& waiter : pending) {
    if (!waiter->fired) {
      waiter->fired = true;
      waiter->done();
    }
  }
}

Status Ledger::CommitGenesisOrCheck() {
  const chaincode::SignedRecord& genesis = options_.genesis;
  MBL_RETURN_IF_ERROR(chaincode::VerifyEnvelope(genesis).WithContext("genesis file"));
  v1::Record record;
  if (!record.ParseFromString(genesis.payload) || !record.has_genesis()) {
    return InvalidArgument("the genesis file does not hold a genesis record (T1)");
  }
  if (!store_->tip().empty) {
    auto block = store_->GetBlock(0);
    if (!block.ok()) return block.status();
    if (block->records.size() != 1 || block->records[0].payload != genesis.payload) {
      return FailedPrecondition(
          "the data directory holds another ledger: its block 0 is not the "
          "genesis in the configured genesis file");
    }
    return Status::Ok();
  }
  // Judged before anything is written: a rejected genesis must not become block 0 of this data
  // directory, or the corrected genesis could never start here.
  const chaincode::BlockContext block0{.height = 0, .time_ms = record.genesis().genesis_time_ms()};
  auto empty = store_->Snapshot();
  const chaincode::RecordResult judged = chaincode::DryRunEach({genesis}, *empty, block0).at(0);
  if (!judged.accepted) {
    return InvalidArgument("the genesis record is refused (" + judged.rejection.rule +
                           "): " + judged.rejection.message +
                           "; nothing was written; make a corrected genesis with mbl genesis");
  }
  MBL_RETURN_IF_ERROR(CommitBlock({genesis}, block0.time_ms, true));
  auto result = store_->GetResult(0, 0);
  MBL_CHECK_MSG(result.ok() && result->accepted,
                "the genesis was accepted by its dry run but rejected when committed");
  return Status::Ok();
}

Status Ledger::CommitBlock(std::vector<chaincode::SignedRecord> records, std::int64_t time_ms,
                           bool genesis) {
  Tip tip = store_->tip();
  const std::uint64_t height = tip.empty ? 0 : tip.height + 1;
  auto snapshot = store_->Snapshot();
  chaincode::BlockExecution execution =
      chaincode::ExecuteBlock(records, *snapshot, {height, time_ms}, tip.state_root);
  // Block 0 is the same on every node: no proposer, no certificate (it is trusted by config).
  if (genesis) return committer_->Commit(records, time_ms, execution, {}, nullptr);
  return committer_->Commit(
      records, time_ms, execution, node_key_.public_key,
      [this](const BlockHeader& header) { return SignBlock(header, node_key_); });
}

Status Ledger::CommitBatch(const OrderedBatch& batch) {
  const bool retry = !SingleNodeCommitError().ok();
  if (retry) {  // let RocksDB resume background work first
    if (Status resumed = store_->RecoverFromWriteError(); !resumed.ok()) {
      Log(LogLevel::kDebug, "storage_resume_failed", {{"error", resumed.ToString()}});
    }
  }
  Status status = CommitBlock(batch.records, batch.time_ms, false);
  if (!status.ok()) {
    if (!retry) {
      Log(LogLevel::kError, "ordering_stalled",
          {{"error", status.ToString()},
           {"detail",
            "the node stopped committing and retries every second; free disk space or make the "
            "data directory writable and it resumes by itself"}});
    }
    std::lock_guard lock(commit_error_mutex_);
    commit_error_ = status;
    return status;
  }
  if (retry) Log(LogLevel::kInfo, "ordering_resumed", {});
  return Status::Ok();
}

Status Ledger::Screen(const chaincode::SignedRecord& record, const chaincode::RecordId& id) const {
  if (mempool_->Contains(id)) {
    return AlreadyExists("record " + crypto::ToHex(id) + " is already pending");
  }
  MBL_RETURN_IF_ERROR(chaincode::VerifyEnvelope(record));
  if (auto location = store_->FindRecord(id)) {
    return AlreadyExists("record " + crypto::ToHex(id) + " is already committed in block " +
                         std::to_string(location->height));
  }
  return Status::Ok();
}

Status Ledger::AdmitTried(chaincode::SignedRecord record, const chaincode::RecordId& id,
                          const chaincode::RecordResult& dry_run,
                          std::vector<chaincode::SignedRecord>& admitted) {
  if (!dry_run.accepted) MBL_RETURN_IF_ERROR(AdmissionRefusal(dry_run.rejection));
  if (!bft_) return mempool_->Add(id, std::move(record));
  // With peers, the record is also forwarded: the mempool gets a copy.
  MBL_RETURN_IF_ERROR(mempool_->Add(id, record));
  admitted.push_back(std::move(record));
  return Status::Ok();
}

std::vector<chaincode::RecordResult> Ledger::DryRun(
    const std::vector<chaincode::SignedRecord>& records, std::int64_t now_ms) const {
  if (records.empty()) return {};
  // Against the current state, each record on its own: refuses now what can never become valid
  // (AdmissionRefusal); other rules are judged when the record is ordered.
  Tip tip = store_->tip();
  auto snapshot = store_->Snapshot();
  return chaincode::DryRunEach(records, *snapshot, {tip.height + 1, std::max(now_ms, tip.time_ms)});
}

std::vector<SubmitOutcome> Ledger::Submit(std::vector<chaincode::SignedRecord> records) {
  std::vector<SubmitOutcome> outcomes;
  outcomes.reserve(records.size());
  Status refusal = OrderingHealth();
  if (!refusal.ok()) {
    refusal = Unavailable("the node stopped committing: " + refusal.message());
  } else if (bft_ && !bft_->status().validator) {
    // Its links reach no validator (they accept only each other), so records admitted here
    // would wait forever: say so rather than accept them (found by the simulator).
    refusal = Unavailable("this node is not a validator of epoch " +
                          std::to_string(bft_->status().epoch) +
                          ": it follows the chain and cannot have records ordered; submit them "
                          "to a validator's node");
  }
  if (!refusal.ok()) {
    for (const auto& record : records) {
      outcomes.push_back({chaincode::ComputeRecordId(record.payload), refusal});
    }
    return outcomes;
  }
  const std::int64_t now_ms = Now();
  // The outcome of each record is the one it would get if the records were admitted one by one
  // in order; only the dry run is shared. A later copy of an id that passed screening waits for
  // its first copy's fate.
  std::set<chaincode::RecordId> screened;  // ids of which a copy passed screening
  std::vector<bool> is_later_copy(records.size(), false);
  std::vector<chaincode::SignedRecord> trial;
  for (std::size_t i = 0; i < records.size(); ++i) {
    chaincode::RecordId id = chaincode::ComputeRecordId(records[i].payload);
    if (screened.contains(id)) {
      is_later_copy[i] = true;
      outcomes.push_back({id, Status::Ok()});
      continue;
    }
    outcomes.push_back({id, Screen(records[i], id)});
    if (!outcomes.back().status.ok()) continue;
    screened.insert(id);
    trial.push_back(std::move(records[i]));
  }
  std::vector<chaincode::RecordResult> dry_run = DryRun(trial, now_ms);
  std::vector<chaincode::SignedRecord> admitted;
  std::size_t next_trial = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    SubmitOutcome& outcome = outcomes[i];
    if (is_later_copy[i]) {
      // Pending if its first copy was admitted; otherwise judged on its own, as one by one
      // (its signature may differ from the first copy's).
      outcome.status = Screen(records[i], outcome.id);
      if (outcome.status.ok()) {
        std::vector<chaincode::RecordResult> alone = DryRun({records[i]}, now_ms);
        outcome.status = AdmitTried(std::move(records[i]), outcome.id, alone.at(0), admitted);
      }
    } else if (outcome.status.ok()) {
      const std::size_t t = next_trial++;
      outcome.status = AdmitTried(std::move(trial[t]), outcome.id, dry_run[t], admitted);
    }
  }
  MBL_CHECK_EQ(next_trial, trial.size());
  if (!admitted.empty()) {
    // Every validator gets the records, so whichever leads next can propose them.
    std::string frame(1, static_cast<char>(FrameKind::kRecords));
    frame += EncodeRecordsPayload(admitted);
    bft_->BroadcastRecords(frame);
    bft_->PayloadReady();
  }
  return outcomes;
}

void Ledger::WhenCommitted(std::vector<chaincode::RecordId> ids, std::chrono::milliseconds timeout,
                           std::function<void()> done) {
  auto waiter = std::make_shared<Waiter>();
  waiter->done = std::move(done);
  waiter->deadline = std::chrono::steady_clock::now() + timeout;
  {
    std::lock_guard lock(waiters_mutex_);
    // Checked under the lock: a commit notifies under the same lock, so nothing is missed.
    for (const auto& id : ids) {
      if (!store_->FindRecord(id)) waiter->remaining.insert(id);
    }
    if (!waiter->remaining.empty() && !stopping_) {
      for (const auto& id : waiter->remaining) waiters_by_id_.emplace(id, waiter);
      waiters_.push_back(waiter);
      waiters_changed_.notify_all();
      return;
    }
  }
  waiter->done();
}

void Ledger::NotifyCommitted(const std::vector<chaincode::RecordId>& ids) {
  std::vector<std::shared_ptr<Waiter>> ready;
  {
    std::lock_guard lock(waiters_mutex_);
    for (const auto& id : ids) {
      auto [begin, end] = waiters_by_id_.equal_range(id);
      for (auto it = begin; it != end; ++it) {
        Waiter& waiter = *it->second;
        waiter.remaining.erase(id);
        if (waiter.remaining.empty() && !waiter.fired) {
          waiter.fired = true;
          ready.push_back(it->second);
        }
      }
      waiters_by_id_.erase(begin, end);
    }
    std::erase_if(waiters_, [](const auto& waiter) { return waiter->fired; });
  }
  for (auto& waiter : ready) waiter->done();
}

void Ledger::ReapExpiredWaiters() {
  std::unique_lock lock(waiters_mutex_);
  while (!stopping_) {
    waiters_changed_.wait_for(lock, std::chrono::milliseconds(20));
    auto now = std::chrono::steady_clock::now();
    std::vector<std::shared_ptr<Waiter>> expired;
    for (auto& waiter : waiters_) {
      if (!waiter->fired && waiter->deadline <= now) {
        waiter->fired = true;
        expired.push_back(waiter);
      }
    }
    if (expired.empty()) continue;
    std::erase_if(waiters_, [](const auto& waiter) { return waiter->fired; });
    std::erase_if(waiters_by_id_, [](const auto& entry) { return entry.second->fired; });
    lock.unlock();
    for (auto& waiter : expired) waiter->done();
    lock.lock();
  }
}

}  // namespace mbl::node
