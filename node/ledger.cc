#include "node/ledger.h"

#include <algorithm>
#include <set>

#include "base/limits.h"
#include "chaincode/epochs.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/queries/credit_queries.h"
#include "chaincode/queries/exit_lookup.h"
#include "chaincode/queries/readers.h"
#include "chaincode/record_json.h"
#include "chaincode/reference_queries.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "node/epoch.h"
#include "node/exit_proof.h"
#include "node/log.h"
#include "node/records_payload.h"

namespace mbl::node {
namespace {

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Turns a dry-run rejection into an admission refusal when the record can never become valid
// (authority, format, replay); other rules are judged at commit time and recorded in the log.
Status RefusalFor(const chaincode::Rejection& rejection) {
  const std::string& message = rejection.message;
  std::string text = "rule " + rejection.rule + ": " + message;
  if (rejection.rule == "R3") {
    if (message.find("not a current member key") != std::string::npos) return Unauthenticated(text);
    return PermissionDenied(text);
  }
  if (rejection.rule == "FORMAT") return InvalidArgument(text);
  if (rejection.rule == "R5") {
    if (message.find("already in the ledger") != std::string::npos) return AlreadyExists(text);
    return InvalidArgument(text);
  }
  if (rejection.rule == "T1" && message.find("genesis") != std::string::npos) {
    return InvalidArgument(text);
  }
  return Status::Ok();
}

nlohmann::json ResultJson(const chaincode::RecordResult& result) {
  nlohmann::json json = {{"accepted", result.accepted}};
  if (result.accepted) {
    json["details"] = nlohmann::json::parse(result.details_json, nullptr, false);
  } else {
    json["rule"] = result.rejection.rule;
    json["message"] = result.rejection.message;
  }
  return json;
}

// What a reader sees of a committed record (DOMAIN §6): its type always, its content only when
// it is one of the record's readers (chaincode/queries/readers.h).
struct RecordView {
  std::string type;
  bool content = false;
};

RecordView ViewFor(const chaincode::SignedRecord& envelope, const chaincode::StateReader& state,
                   const Reader& reader) {
  v1::Record record;
  if (!record.ParseFromString(envelope.payload)) {
    return {"unknown",
            chaincode::MayReadRecord(state, reader.organization,
                                     chaincode::ReadersOfUnparsedRecord(envelope.signer, state))};
  }
  return {chaincode::RecordTypeName(record),
          chaincode::MayReadRecord(state, reader.organization,
                                   chaincode::ReadersOfRecord(record, envelope.signer, state))};
}

// The outcome as anybody may see it: accepted, or rejected under which rule; no details, no
// message (both may quote the record's content).
nlohmann::json RedactedResultJson(const chaincode::RecordResult& result) {
  nlohmann::json json = {{"accepted", result.accepted}};
  if (!result.accepted) json["rule"] = result.rejection.rule;
  return json;
}

nlohmann::json HeaderJson(const BlockHeader& header) {
  return {{"height", header.height},
          {"hash", crypto::ToHex(BlockHash(header))},
          {"parent_hash", crypto::ToHex(header.parent_hash)},
          {"time_ms", header.time_ms},
          {"record_count", header.record_count},
          {"records_root", crypto::ToHex(header.records_root)},
          {"results_root", crypto::ToHex(header.results_root)},
          {"state_root", crypto::ToHex(header.state_root)},
          {"proposer", crypto::ToHex(header.proposer)}};
}

}  // namespace

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

std::optional<BftStatus> Ledger::bft_status() const {
  if (!bft_) return std::nullopt;
  return bft_->status();
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
  MBL_RETURN_IF_ERROR(CommitBlock({genesis}, record.genesis().genesis_time_ms(), true));
  auto result = store_->GetResult(0, 0);
  if (!result.ok() || !result->accepted) {
    return InvalidArgument("the genesis record was rejected: " +
                           (result.ok() ? result->rejection.rule + " " + result->rejection.message
                                        : result.status().message()));
  }
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
  if (!dry_run.accepted) MBL_RETURN_IF_ERROR(RefusalFor(dry_run.rejection));
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
  // (RefusalFor); other rules are judged when the record is ordered.
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

Result<nlohmann::json> Ledger::GetRecord(const chaincode::RecordId& id, const Reader& reader) {
  auto location = store_->FindRecord(id);
  if (!location) {
    if (mempool_->Contains(id))
      return nlohmann::json{{"id", crypto::ToHex(id)}, {"status", "pending"}};
    return NotFound("no record " + crypto::ToHex(id) + " on this node");
  }
  MBL_ASSIGN_OR_RETURN(Block block, store_->GetBlock(location->height));
  MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result,
                       store_->GetResult(location->height, location->index));
  const chaincode::SignedRecord& envelope = block.records.at(location->index);
  auto snapshot = store_->Snapshot();
  RecordView view = ViewFor(envelope, *snapshot, reader);
  nlohmann::json answer = {{"id", crypto::ToHex(id)},
                           {"type", view.type},
                           {"status", result.accepted ? "accepted" : "rejected"},
                           {"height", location->height},
                           {"index", location->index},
                           {"block_time_ms", block.header.time_ms},
                           {"redacted", !view.content}};
  if (!view.content) {
    answer["result"] = RedactedResultJson(result);
    return answer;
  }
  auto record_json = chaincode::RecordPayloadToJson(envelope.payload);
  answer["signer"] = crypto::ToHex(envelope.signer);
  answer["signature"] = crypto::ToHex(envelope.signature);
  answer["result"] = ResultJson(result);
  answer["record"] = record_json.ok() ? *record_json : nlohmann::json();
  return answer;
}

Result<nlohmann::json> Ledger::GetRecordOutcome(const chaincode::RecordId& id) {
  auto location = store_->FindRecord(id);
  if (!location) {
    if (mempool_->Contains(id))
      return nlohmann::json{{"id", crypto::ToHex(id)}, {"status", "pending"}};
    return NotFound("no record " + crypto::ToHex(id) + " on this node");
  }
  MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result,
                       store_->GetResult(location->height, location->index));
  return nlohmann::json{{"id", crypto::ToHex(id)},
                        {"status", result.accepted ? "accepted" : "rejected"},
                        {"height", location->height},
                        {"index", location->index},
                        {"result", ResultJson(result)}};
}

Result<nlohmann::json> Ledger::GetBlock(std::uint64_t height, const Reader& reader) {
  MBL_ASSIGN_OR_RETURN(Block block, store_->GetBlock(height));
  auto snapshot = store_->Snapshot();
  nlohmann::json records = nlohmann::json::array();
  for (std::uint32_t i = 0; i < block.records.size(); ++i) {
    MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result, store_->GetResult(height, i));
    RecordView view = ViewFor(block.records[i], *snapshot, reader);
    nlohmann::json entry = view.content ? ResultJson(result) : RedactedResultJson(result);
    entry["id"] = crypto::ToHex(result.record_id);
    entry["type"] = view.type;
    entry["status"] = result.accepted ? "accepted" : "rejected";
    entry["redacted"] = !view.content;
    records.push_back(std::move(entry));
  }
  return nlohmann::json{{"header", HeaderJson(block.header)},
                        {"certificate", crypto::ToHex(block.certificate)},
                        {"records", records}};
}

nlohmann::json Ledger::Health() {
  Tip tip = store_->tip();
  Status ordering = OrderingHealth();
  auto snapshot = store_->Snapshot();
  auto chain = chaincode::GetChain(*snapshot);
  return {{"status", ordering.ok() ? "ok" : "degraded"},
          {"error", ordering.ok() ? "" : ordering.message()},
          {"chain_id", chain ? crypto::ToHex(chain->chain_id) : ""},
          {"chain_name", chain ? chain->chain_name : ""},
          {"height", tip.height},
          {"tip_hash", crypto::ToHex(tip.hash)},
          {"last_block_time_ms", tip.time_ms},
          {"last_commit_age_ms", last_commit_ms_ == 0 ? -1 : Now() - last_commit_ms_},
          {"mempool_records", mempool_->pending_records()},
          {"validators", chaincode::GetValidators(*snapshot).size()},
          {"consensus", ConsensusHealth()}};
}

nlohmann::json Ledger::ConsensusHealth() const {
  if (!bft_) {
    return {{"mode", "single"}, {"leader", crypto::ToHex(node_key_.public_key)}};
  }
  const BftStatus status = bft_->status();
  std::size_t connected = 0;
  for (const auto& link : status.links) connected += link.connected ? 1 : 0;
  nlohmann::json health = {{"mode", "bft"},
                           {"epoch", status.epoch},
                           {"role", status.validator ? "validator" : "follower"},
                           {"syncing", status.syncing},
                           {"validators", status.validators.size()},
                           {"round", status.round},
                           {"leader_index", status.leader},
                           {"leader", status.leader < status.validators.size()
                                          ? crypto::ToHex(status.validators[status.leader])
                                          : ""},
                           {"committed_height", status.committed_height},
                           {"local_timeouts", status.local_timeouts},
                           {"connected_peers", connected}};
  health["self_index"] = status.self ? nlohmann::json(*status.self) : nlohmann::json(nullptr);
  if (!status.validator) {
    health["detail"] = "this node's key is not in the validator set of epoch " +
                       std::to_string(status.epoch) +
                       ": it catches up from the validators and orders nothing";
  }
  return health;
}

namespace {

// One metric family: HELP and TYPE lines, then its samples.
void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            const std::vector<std::pair<std::string, double>>& samples) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  for (const auto& [labels, value] : samples) {
    char number[64];
    std::snprintf(number, sizeof number, "%.17g", value);
    out.append(name).append(labels).append(" ").append(number).append("\n");
  }
}

}  // namespace

std::string Ledger::Metrics() {
  std::string out;
  const Tip tip = store_->tip();
  const bool healthy = OrderingHealth().ok();
  Family(out, "mbl_block_height", "gauge", "Height of the last committed block.",
         {{"", static_cast<double>(tip.height)}});
  Family(out, "mbl_mempool_records", "gauge", "Records admitted and not yet committed.",
         {{"", static_cast<double>(mempool_->pending_records())}});
  Family(out, "mbl_ordering_healthy", "gauge", "1 while the node commits, 0 after a commit error.",
         {{"", healthy ? 1.0 : 0.0}});
  Family(out, "mbl_last_commit_age_seconds", "gauge", "Seconds since this node last committed.",
         {{"", last_commit_ms_ == 0 ? -1.0 : static_cast<double>(Now() - last_commit_ms_) / 1000}});
  if (!bft_) return out;
  const BftStatus status = bft_->status();
  Family(out, "mbl_consensus_round", "gauge", "Current consensus round.",
         {{"", static_cast<double>(status.round)}});
  Family(out, "mbl_consensus_blocks_committed_total", "counter",
         "Blocks committed by consensus since start.",
         {{"", static_cast<double>(status.blocks_committed)}});
  Family(out, "mbl_consensus_rounds_total", "counter", "Round changes since start.",
         {{"", static_cast<double>(status.rounds_entered)}});
  Family(out, "mbl_consensus_timeouts_total", "counter", "Local round timeouts since start.",
         {{"", static_cast<double>(status.local_timeouts)}});
  Family(out, "mbl_consensus_messages_refused_total", "counter",
         "Consensus messages refused (bad signature, stale, malformed, queue full).",
         {{"", static_cast<double>(status.messages_refused)}});
  Family(out, "mbl_safety_data_fsync_seconds_total", "counter",
         "Time spent writing and syncing consensus safety data.",
         {{"", status.safety_write_seconds_total}});
  Family(out, "mbl_safety_data_writes_total", "counter", "Synced safety data writes.",
         {{"", static_cast<double>(status.safety_writes)}});
  Family(out, "mbl_block_commit_seconds_total", "counter",
         "Time spent writing and syncing committed blocks.",
         {{"", status.commit_write_seconds_total}});
  std::vector<std::pair<std::string, double>> up, sent, received, dropped;
  Family(out, "mbl_consensus_epoch", "gauge", "Validator-set epoch this node is in.",
         {{"", static_cast<double>(status.epoch)}});
  for (const auto& link : status.links) {
    std::string labels = "{peer=\"" + std::to_string(link.index) + "\"}";
    up.emplace_back(labels, link.connected ? 1.0 : 0.0);
    sent.emplace_back(labels, static_cast<double>(link.frames_sent));
    received.emplace_back(labels, static_cast<double>(link.frames_received));
    dropped.emplace_back(labels, static_cast<double>(link.frames_dropped));
  }
  Family(out, "mbl_peer_link_up", "gauge", "1 when the authenticated link to the peer is up.", up);
  Family(out, "mbl_peer_frames_sent_total", "counter", "Frames sent to the peer.", sent);
  Family(out, "mbl_peer_frames_received_total", "counter", "Frames received from the peer.",
         received);
  Family(out, "mbl_peer_frames_dropped_total", "counter",
         "Frames to the peer dropped (queue full or link down).", dropped);
  return out;
}

nlohmann::json Ledger::Validators() {
  auto snapshot = store_->Snapshot();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& validator : chaincode::GetValidators(*snapshot)) {
    list.push_back({{"organization", validator.organization()},
                    {"public_key", validator.public_key()},
                    {"address", validator.address()}});
  }
  auto chain = chaincode::GetChain(*snapshot);
  std::size_t n = list.size();
  return {{"chain_id", chain ? crypto::ToHex(chain->chain_id) : ""},
          {"height", store_->tip().height},
          {"validators", list},
          {"fault_tolerance", n == 0 ? 0 : (n - 1) / 3}};
}

Result<Reader> Ledger::IdentifyReader(const crypto::PublicKey& key) {
  auto snapshot = store_->Snapshot();
  auto holder = chaincode::GetKeyHolder(*snapshot, key);
  if (!holder) return Unauthenticated("key " + crypto::ToHex(key) + " is not a current member key");
  Reader reader{key, holder->organization, {}};
  for (auto role : holder->roles) reader.roles.push_back(chaincode::RoleName(role));
  return reader;
}

Result<nlohmann::json> Ledger::Query(std::string_view name, const nlohmann::json& params,
                                     const Reader& reader) {
  std::map<std::string, std::string> values;
  for (const auto& [key, value] : params.items()) {
    if (value.is_string()) values[key] = value.get<std::string>();
  }
  auto snapshot = store_->Snapshot();
  if (chaincode::IsCreditQuery(std::string(name))) {
    // Authorization per DOMAIN §6 is part of the query; the reference data is for every member.
    return chaincode::RunCreditQuery(std::string(name), values, reader.organization, *snapshot,
                                     std::max(Now(), store_->tip().time_ms));
  }
  return chaincode::RunReferenceQuery(std::string(name), values, *snapshot);
}

Status Ledger::ValidatorSetHistory(std::string& json, std::vector<std::uint64_t>& bases) {
  auto snapshot = store_->Snapshot();
  const std::uint64_t epoch = chaincode::CurrentEpoch(*snapshot).number;
  std::lock_guard lock(validator_sets_mutex_);
  if (!validator_sets_ || validator_sets_->epoch != epoch) {
    // Rebuilt once per epoch: the history only grows when the validator set changes.
    std::vector<std::string> genesis_validators;
    v1::Record genesis;
    MBL_CHECK(genesis.ParseFromString(options_.genesis.payload));
    for (const auto& validator : genesis.genesis().validators()) {
      genesis_validators.push_back(validator.public_key());
    }
    std::sort(genesis_validators.begin(), genesis_validators.end());  // index order (state keys)
    ValidatorSets built{epoch, "", {}};
    MBL_ASSIGN_OR_RETURN(
        built.json, ValidatorSetsJson(*store_, exit_proof_cache_, genesis_validators, built.bases));
    validator_sets_ = std::move(built);
  }
  json = validator_sets_->json;
  bases = validator_sets_->bases;
  return Status::Ok();
}

Result<std::string> Ledger::ExitLookup(std::string_view code,
                                       std::optional<std::uint64_t> known_height) {
  auto snapshot = store_->Snapshot();
  MBL_ASSIGN_OR_RETURN(nlohmann::json view, chaincode::LookupExit(*snapshot, code));
  ExitProofInputs inputs{
      *store_, exit_proof_cache_, genesis_json_, chain_id_hex_, bft_ != nullptr, "",
      {},      std::nullopt,      std::nullopt};
  inputs.known_height = known_height;
  inputs.quorum = bft_ != nullptr;
  if (bft_) inputs.last_commit_qc = bft_->status().last_commit_qc;
  MBL_RETURN_IF_ERROR(ValidatorSetHistory(inputs.validator_sets_json, inputs.epoch_bases));
  auto record_id = crypto::FixedFromHex<32>(view["record_id"].get<std::string>(), "record id");
  if (!record_id.ok()) return record_id.status();
  auto proof = BuildExitProof(inputs, *record_id, view["exit_code"].get<std::string>());
  if (!proof.ok()) {
    view["proof"] = nullptr;
    view["proof_unavailable"] = proof.status().message();
    return view.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  // The public view with the bundle spliced in as its last member.
  std::string answer = view.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  MBL_CHECK(answer.size() > 2 && answer.back() == '}');
  answer.pop_back();
  return answer + ",\"proof\":" + *proof + "}";
}

}  // namespace mbl::node
