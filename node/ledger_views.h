// The JSON of the ledger's answers (docs/api.md), made at the HTTP edge from the plain values
// LedgerService returns. A Status becomes JSON here only (ErrorJson).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.h"
#include "node/ledger_service.h"

namespace mbl::node {

// {"code": CodeName, "message"}: the error member of every refusal (DESIGN D6).
nlohmann::json ErrorJson(const Status& status);

// One record of a submission as it stands: refused, pending, or, after a wait, committed.
struct SubmittedRecord {
  std::optional<chaincode::RecordId> id;  // nullopt when its envelope did not decode
  Status status;                          // why it was refused; ok when admitted
  std::optional<CommittedResult> committed;
};
// {"id","status":"pending"}; {"id","status":"accepted"|"rejected","height","result"};
// {["id",]"status":"refused","error"}.
nlohmann::json SubmittedRecordJson(const SubmittedRecord& record);

// {"id","status":"pending"} while pending; committed, {"id","status","height","index","result"}.
nlohmann::json RecordOutcomeJson(const RecordOutcome& outcome);

// {"id","status":"pending"} while pending; committed, {"id","type","status":"accepted"|
// "rejected","height","index","block_time_ms","redacted","result"} and, unless redacted, also
// "signer","signature","record" and the result's details or message.
nlohmann::json RecordViewJson(const RecordView& view);

// {"header":{...},"certificate","records":[{"id","type","status","redacted","accepted",...}]}:
// each record's result in full unless redacted, else only accepted or the rule.
nlohmann::json BlockViewJson(const BlockView& block);

nlohmann::json HealthJson(const HealthReport& health);

// {"chain_id","height","validators":[{"organization","public_key","address"}],
// "fault_tolerance"}.
nlohmann::json ValidatorSetJson(const ValidatorSetView& validators);

// The exit view with the proof bundle spliced in as its last member ("proof"), or with
// "proof": null and "proof_unavailable" saying why.
std::string ExitAnswerJsonText(const ExitAnswer& answer);

}  // namespace mbl::node
