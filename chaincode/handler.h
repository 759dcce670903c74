// The contract of every record handler: read and write the block's working state, and either
// accept (std::nullopt; `details` says what happened) or return the rule it breaks. A rejection
// rolls back everything the record changed, so a rejected record never changes anything.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "chaincode/envelope.h"
#include "chaincode/executor.h"
#include "chaincode/proto/records.pb.h"
#include "chaincode/state.h"
#include "chaincode/working_state.h"

namespace mbl::chaincode {

struct ApplyContext {
  const v1::Record& record;
  const RecordId& record_id;
  const std::string& record_id_hex;  // record_id in lowercase hex
  const crypto::PublicKey& signer;
  const BlockContext& block;
  WorkingState& state;
  nlohmann::json& details;
  // Canonical JSON of the details, for handlers on a hot path that write it directly
  // (JsonWriter); when set, it is the result's details and `details` is ignored.
  std::string& details_json;
};

using HandlerResult = std::optional<Rejection>;

// The kind a rejection under `rule` has unless its maker says otherwise: authority (R3) and
// format, chain and replay (FORMAT, R5) can never become valid; every other rule may.
inline RefusalKind KindOfRule(std::string_view rule) {
  if (rule == "R3") return RefusalKind::kNotAuthorized;
  if (rule == "FORMAT" || rule == "R5") return RefusalKind::kInvalid;
  return RefusalKind::kRuleViolation;
}

inline Rejection Reject(RefusalKind kind, std::string rule, std::string message) {
  return Rejection{std::move(rule), std::move(message), kind};
}

inline Rejection Reject(std::string rule, std::string message) {
  const RefusalKind kind = KindOfRule(rule);
  return Reject(kind, std::move(rule), std::move(message));
}

// T1..T5 (chaincode/handlers/t01..t05).
HandlerResult ApplyGenesis(ApplyContext& context, const v1::Genesis& genesis);
HandlerResult ApplyMembershipChange(ApplyContext& context, const v1::MembershipChange& change);
HandlerResult ApplySiteDefinition(ApplyContext& context, const v1::SiteDefinition& site);
HandlerResult ApplyCharacteristicDefinition(ApplyContext& context,
                                            const v1::CharacteristicDefinition& definition);
HandlerResult ApplyProductGroupDefinition(ApplyContext& context,
                                          const v1::ProductGroupDefinition& definition);
HandlerResult ApplyConversionFactor(ApplyContext& context,
                                    const v1::ConversionFactorDefinition& definition);
HandlerResult ApplyCbAccreditation(ApplyContext& context, const v1::CbAccreditation& accreditation);

// T6..T17 (chaincode/handlers/t06..t17).
HandlerResult ApplyCertificateRequest(ApplyContext& context, const v1::CertificateRequest& request);
HandlerResult ApplyCertification(ApplyContext& context, const v1::Certification& certification);
HandlerResult ApplyProcessing(ApplyContext& context, const v1::Processing& processing);
HandlerResult ApplyShipment(ApplyContext& context, const v1::Shipment& shipment);
HandlerResult ApplyReceiptDecision(ApplyContext& context, const v1::ReceiptDecision& decision);
HandlerResult ApplySiteTransfer(ApplyContext& context, const v1::SiteTransfer& transfer);
HandlerResult ApplyProductReturn(ApplyContext& context, const v1::ProductReturn& product_return);
HandlerResult ApplySystemExit(ApplyContext& context, const v1::SystemExit& exit);
HandlerResult ApplyPeriodClose(ApplyContext& context, const v1::PeriodClose& close);
HandlerResult ApplyAuditResult(ApplyContext& context, const v1::AuditResult& audit);
HandlerResult ApplyNonConformity(ApplyContext& context, const v1::NonConformity& non_conformity);
HandlerResult ApplyManagementReview(ApplyContext& context, const v1::ManagementReview& review);

// Field checks shared by handlers, rule "FORMAT". The length and characters of every text field
// of every record are checked once, before any handler runs (record_fields.h, text_rules.h);
// what is left to a handler is whether a field it needs is set.
HandlerResult RequireText(std::string_view field, const std::string& value);
HandlerResult CheckHexHash(std::string_view field, const std::string& value, bool required);
HandlerResult CheckListSize(std::string_view field, int size);

}  // namespace mbl::chaincode
