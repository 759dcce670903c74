// T15 audit result (G4.3) or conformity assessment (G4.2). Third-party audits come from a
// certification body; first-party from the organization itself; second-party from another
// member. Signed by an evaluation responsible.
#include "chaincode/credits/credit_checks.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult ApplyAuditResult(ApplyContext& context, const v1::AuditResult& audit) {
  const std::string& author = context.record.author_org();
  if (auto bad = RequireRole(context.state, author, context.signer, v1::EVALUATION_RESPONSIBLE))
    return bad;
  if (!GetOrganization(context.state, audit.audited_org())) {
    return Reject("T15", "audited organization '" + audit.audited_org() + "' is not a member");
  }
  bool self = author == audit.audited_org();
  bool by_cb = GetOrganization(context.state, author)->kind() == v1::CERTIFICATION_BODY;
  switch (audit.type()) {
    case v1::AuditResult::FIRST_PARTY:
      if (!self)
        return Reject("T15", "a first-party audit is recorded by the audited organization itself");
      break;
    case v1::AuditResult::SECOND_PARTY:
      if (self || by_cb)
        return Reject("T15", "a second-party audit is recorded by another member, not a CB");
      break;
    case v1::AuditResult::THIRD_PARTY:
      if (!by_cb) return Reject("T15", "a third-party audit is recorded by a certification body");
      break;
    default:
      return Reject("FORMAT", "type must be FIRST_PARTY, SECOND_PARTY or THIRD_PARTY");
  }
  if (audit.outcome() == v1::AuditResult::OUTCOME_UNSPECIFIED ||
      !v1::AuditResult::Outcome_IsValid(audit.outcome())) {
    return Reject("FORMAT",
                  "outcome must be CONFORMING, MINOR_NONCONFORMITY or MAJOR_NONCONFORMITY");
  }
  if (auto bad = CheckListSize("site_ids", audit.site_ids_size())) return bad;
  for (const std::string& site : audit.site_ids()) {
    if (auto bad = RequireSite(context.state, audit.audited_org(), site)) return bad;
  }
  if (auto bad = CheckHexHash("report_hash", audit.report_hash(), true)) return bad;
  if (auto bad = CheckHexHash("risks_document_hash", audit.risks_document_hash(), false))
    return bad;
  nlohmann::json stored = {{"auditor", author},
                           {"type", v1::AuditResult::AuditType_Name(audit.type())},
                           {"outcome", v1::AuditResult::Outcome_Name(audit.outcome())},
                           {"conformity_assessment", audit.conformity_assessment()},
                           {"period_start_ms", audit.period_start_ms()},
                           {"period_end_ms", audit.period_end_ms()},
                           {"recorded_ms", context.block.time_ms},
                           {"report_hash", audit.report_hash()}};
  context.state.Put("c/audit/" + audit.audited_org() + "/" + RecordIdHex(context), stored.dump());
  context.details = {{"audit_id", RecordIdHex(context)}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
