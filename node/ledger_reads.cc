// The ledger's reads (LedgerService): records, blocks, what the node is doing, the validator
// set, readers, queries and exit lookups with their proofs. Admission, ordering and commits are
// in node/ledger.cc.
#include <algorithm>

#include "chaincode/epochs.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/queries/credit_queries.h"
#include "chaincode/queries/exit_lookup.h"
#include "chaincode/queries/readers.h"
#include "chaincode/reference_queries.h"
#include "chaincode/registry.h"
#include "crypto/encoding.h"
#include "node/exit_proof.h"
#include "node/ledger.h"

namespace mbl::node {

using formats::Block;

namespace {

// What `reader` may see of a committed record's result: its type always, its content only when
// it is one of the record's readers (chaincode/queries/readers.h).
ResultSeen SeenBy(const Reader& reader, const chaincode::SignedRecord& envelope,
                  chaincode::RecordResult result, const chaincode::StateReader& state) {
  ResultSeen seen;
  v1::Record record;
  if (record.ParseFromString(envelope.payload)) {
    seen.type = chaincode::RecordTypeName(record);
    seen.redacted = !chaincode::MayReadRecord(
        state, reader.organization, chaincode::ReadersOfRecord(record, envelope.signer, state));
  } else {
    seen.type = "unknown";
    seen.redacted = !chaincode::MayReadRecord(
        state, reader.organization, chaincode::ReadersOfUnparsedRecord(envelope.signer, state));
  }
  if (seen.redacted) {  // the details and the message may quote the record's content
    result.details_json.clear();
    result.rejection.message.clear();
  }
  seen.result = std::move(result);
  return seen;
}

Status NoRecord(const chaincode::RecordId& id) {
  return NotFound("no record " + crypto::ToHex(id) + " on this node");
}

}  // namespace

Result<RecordView> Ledger::GetRecord(const chaincode::RecordId& id, const Reader& reader) {
  auto location = store_->FindRecord(id);
  if (!location) {
    if (mempool_->Contains(id)) return RecordView{id, std::nullopt};
    return NoRecord(id);
  }
  MBL_ASSIGN_OR_RETURN(Block block, store_->GetBlock(location->height));
  MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result,
                       store_->GetResult(location->height, location->index));
  chaincode::SignedRecord& envelope = block.records.at(location->index);
  auto snapshot = store_->Snapshot();
  RecordView::Committed committed{location->height,
                                  location->index,
                                  block.header.time_ms,
                                  SeenBy(reader, envelope, std::move(result), *snapshot),
                                  {}};
  if (!committed.seen.redacted) committed.envelope = std::move(envelope);
  return RecordView{id, std::move(committed)};
}

Result<RecordOutcome> Ledger::GetRecordOutcome(const chaincode::RecordId& id) {
  auto location = store_->FindRecord(id);
  if (!location) {
    if (mempool_->Contains(id)) return RecordOutcome{id, std::nullopt};
    return NoRecord(id);
  }
  MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result,
                       store_->GetResult(location->height, location->index));
  return RecordOutcome{id, CommittedResult{location->height, location->index, std::move(result)}};
}

Result<BlockView> Ledger::GetBlock(std::uint64_t height, const Reader& reader) {
  MBL_ASSIGN_OR_RETURN(Block block, store_->GetBlock(height));
  auto snapshot = store_->Snapshot();
  BlockView view{block.header, std::move(block.certificate), {}};
  view.records.reserve(block.records.size());
  for (std::uint32_t i = 0; i < block.records.size(); ++i) {
    MBL_ASSIGN_OR_RETURN(chaincode::RecordResult result, store_->GetResult(height, i));
    view.records.push_back(SeenBy(reader, block.records[i], std::move(result), *snapshot));
  }
  return view;
}

NodeActivity Ledger::Metrics() {
  NodeActivity activity;
  activity.tip = store_->tip();
  const std::int64_t last_commit_ms = last_commit_ms_;
  if (last_commit_ms != 0) activity.last_commit_age_ms = Now() - last_commit_ms;
  activity.mempool_records = mempool_->pending_records();
  if (bft_) {
    activity.consensus = bft_->status();
    activity.ordering = activity.consensus->error;
  } else {
    activity.ordering = OrderingHealth();
  }
  return activity;
}

HealthReport Ledger::Health() {
  HealthReport health{Metrics(), std::nullopt, 0, node_key_.public_key};
  auto snapshot = store_->Snapshot();
  health.chain = chaincode::GetChain(*snapshot);
  health.validators = chaincode::GetValidators(*snapshot).size();
  return health;
}

ValidatorSetView Ledger::Validators() {
  auto snapshot = store_->Snapshot();
  return {chaincode::GetChain(*snapshot), store_->tip().height,
          chaincode::GetValidators(*snapshot)};
}

Result<Reader> Ledger::IdentifyReader(const crypto::PublicKey& key) {
  auto snapshot = store_->Snapshot();
  auto holder = chaincode::GetKeyHolder(*snapshot, key);
  if (!holder) return Unauthenticated("key " + crypto::ToHex(key) + " is not a current member key");
  Reader reader{key, holder->organization, {}};
  for (auto role : holder->roles) reader.roles.push_back(chaincode::RoleName(role));
  return reader;
}

Result<nlohmann::json> Ledger::Query(std::string_view name,
                                     const std::map<std::string, std::string>& params,
                                     const Reader& reader) {
  auto snapshot = store_->Snapshot();
  if (chaincode::IsCreditQuery(std::string(name))) {
    // Authorization per DOMAIN §6 is part of the query; the reference data is for every member.
    return chaincode::RunCreditQuery(std::string(name), params, reader.organization, *snapshot,
                                     std::max(Now(), store_->tip().time_ms));
  }
  return chaincode::RunReferenceQuery(std::string(name), params, *snapshot);
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

Result<ExitAnswer> Ledger::ExitLookup(std::string_view code,
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
  Result<std::string> proof =
      BuildExitProof(inputs, *record_id, view["exit_code"].get<std::string>());
  return ExitAnswer{std::move(view), std::move(proof)};
}

}  // namespace mbl::node
