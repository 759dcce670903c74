#include "node/ledger_views.h"

#include "chaincode/record_json.h"
#include "crypto/encoding.h"

namespace mbl::node {

using formats::BlockHeader;

namespace {

const char* StatusName(const chaincode::RecordResult& result) {
  return result.accepted ? "accepted" : "rejected";
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

// The outcome as anybody may see it: accepted, or rejected under which rule; no details, no
// message (both may quote the record's content).
nlohmann::json RedactedResultJson(const chaincode::RecordResult& result) {
  nlohmann::json json = {{"accepted", result.accepted}};
  if (!result.accepted) json["rule"] = result.rejection.rule;
  return json;
}

nlohmann::json SeenResultJson(const ResultSeen& seen) {
  return seen.redacted ? RedactedResultJson(seen.result) : ResultJson(seen.result);
}

nlohmann::json PendingJson(const chaincode::RecordId& id) {
  return {{"id", crypto::ToHex(id)}, {"status", "pending"}};
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

nlohmann::json BftHealthJson(const BftStatus& status) {
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

std::string DumpJson(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

nlohmann::json ErrorJson(const Status& status) {
  return {{"code", std::string(CodeName(status.code()))}, {"message", status.message()}};
}

nlohmann::json SubmittedRecordJson(const SubmittedRecord& record) {
  nlohmann::json json = nlohmann::json::object();
  if (record.id) json["id"] = crypto::ToHex(*record.id);
  if (!record.status.ok()) {
    json["status"] = "refused";
    json["error"] = ErrorJson(record.status);
  } else if (!record.committed) {
    json["status"] = "pending";
  } else {
    json["status"] = StatusName(record.committed->result);
    json["height"] = record.committed->height;
    json["result"] = ResultJson(record.committed->result);
  }
  return json;
}

nlohmann::json RecordOutcomeJson(const RecordOutcome& outcome) {
  if (!outcome.committed) return PendingJson(outcome.id);
  const CommittedResult& committed = *outcome.committed;
  return {{"id", crypto::ToHex(outcome.id)},
          {"status", StatusName(committed.result)},
          {"height", committed.height},
          {"index", committed.index},
          {"result", ResultJson(committed.result)}};
}

nlohmann::json RecordViewJson(const RecordView& view) {
  if (!view.committed) return PendingJson(view.id);
  const RecordView::Committed& committed = *view.committed;
  nlohmann::json answer = {{"id", crypto::ToHex(view.id)},
                           {"type", committed.seen.type},
                           {"status", StatusName(committed.seen.result)},
                           {"height", committed.height},
                           {"index", committed.index},
                           {"block_time_ms", committed.block_time_ms},
                           {"redacted", committed.seen.redacted},
                           {"result", SeenResultJson(committed.seen)}};
  if (committed.seen.redacted) return answer;
  auto record_json = chaincode::RecordPayloadToJson(committed.envelope.payload);
  answer["signer"] = crypto::ToHex(committed.envelope.signer);
  answer["signature"] = crypto::ToHex(committed.envelope.signature);
  answer["record"] = record_json.ok() ? *record_json : nlohmann::json();
  return answer;
}

nlohmann::json BlockViewJson(const BlockView& block) {
  nlohmann::json records = nlohmann::json::array();
  for (const ResultSeen& seen : block.records) {
    nlohmann::json entry = SeenResultJson(seen);
    entry["id"] = crypto::ToHex(seen.result.record_id);
    entry["type"] = seen.type;
    entry["status"] = StatusName(seen.result);
    entry["redacted"] = seen.redacted;
    records.push_back(std::move(entry));
  }
  return {{"header", HeaderJson(block.header)},
          {"certificate", crypto::ToHex(block.certificate)},
          {"records", records}};
}

nlohmann::json HealthJson(const HealthReport& health) {
  const NodeActivity& activity = health.activity;
  const std::optional<chaincode::ChainInfo>& chain = health.chain;
  nlohmann::json consensus =
      activity.consensus
          ? BftHealthJson(*activity.consensus)
          : nlohmann::json{{"mode", "single"}, {"leader", crypto::ToHex(health.node_key)}};
  return {{"status", activity.ordering.ok() ? "ok" : "degraded"},
          {"error", activity.ordering.ok() ? "" : activity.ordering.message()},
          {"chain_id", chain ? crypto::ToHex(chain->chain_id) : ""},
          {"chain_name", chain ? chain->chain_name : ""},
          {"height", activity.tip.height},
          {"tip_hash", crypto::ToHex(activity.tip.hash)},
          {"last_block_time_ms", activity.tip.time_ms},
          {"last_commit_age_ms", activity.last_commit_age_ms.value_or(-1)},
          {"mempool_records", activity.mempool_records},
          {"validators", health.validators},
          {"consensus", std::move(consensus)}};
}

nlohmann::json ValidatorSetJson(const ValidatorSetView& validators) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& validator : validators.validators) {
    list.push_back({{"organization", validator.organization()},
                    {"public_key", validator.public_key()},
                    {"address", validator.address()}});
  }
  const std::size_t n = list.size();
  return {{"chain_id", validators.chain ? crypto::ToHex(validators.chain->chain_id) : ""},
          {"height", validators.height},
          {"validators", list},
          {"fault_tolerance", n == 0 ? 0 : (n - 1) / 3}};
}

std::string ExitAnswerJsonText(const ExitAnswer& answer) {
  if (!answer.proof.ok()) {
    nlohmann::json view = answer.exit;
    view["proof"] = nullptr;
    view["proof_unavailable"] = answer.proof.status().message();
    return DumpJson(view);
  }
  // The public view with the bundle spliced in as its last member.
  std::string text = DumpJson(answer.exit);
  MBL_CHECK(text.size() > 2 && text.back() == '}');
  text.pop_back();
  return text + ",\"proof\":" + *answer.proof + "}";
}

}  // namespace mbl::node
