// T17 top management review (G4.5): one per organization and year.
#include "chaincode/credits/credit_checks.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult ApplyManagementReview(ApplyContext& context, const v1::ManagementReview& review) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::TOP_MANAGEMENT)) return bad;
  if (review.year() < 2000 || review.year() > YearOf(context.block.time_ms)) {
    return Reject(
        "T17", "review year " + std::to_string(review.year()) + " is not a past or current year");
  }
  if (auto bad = CheckHexHash("summary_document_hash", review.summary_document_hash(), true))
    return bad;
  if (auto bad = CheckListSize("decisions", review.decisions_size())) return bad;
  const std::string key = "c/review/" + org + "/" + std::to_string(review.year());
  if (context.state.Get(key)) {
    return Reject("T17", "'" + org + "' already recorded its management review for " +
                             std::to_string(review.year()));
  }
  context.state.Put(key, nlohmann::json{{"record_id", RecordIdHex(context)},
                                        {"recorded_ms", context.block.time_ms},
                                        {"summary_document_hash", review.summary_document_hash()}}
                             .dump());
  context.details = {{"year", review.year()}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
