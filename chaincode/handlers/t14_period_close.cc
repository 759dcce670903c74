// T14 balancing period close (G2.3, G2.5, R14): once per organization and fiscal year, only
// after the period has ended; fixes the period statement of every characteristic.
#include "chaincode/credits/credit_checks.h"
#include "chaincode/credits/flows.h"
#include "chaincode/registry.h"

namespace mbl::chaincode {

HandlerResult ApplyPeriodClose(ApplyContext& context, const v1::PeriodClose& close) {
  const std::string& org = context.record.author_org();
  if (auto bad = RequireRole(context.state, org, context.signer, v1::OPERATION_RESPONSIBLE))
    return bad;
  std::int64_t year = close.fiscal_year();
  auto [start, end] = FiscalYearBounds(context.state, org, year);
  if (context.block.time_ms < end) {
    return Reject("R14", "fiscal year " + std::to_string(year) + " of '" + org + "' ends at " +
                             std::to_string(end) +
                             " ms; a period can only be closed after it ends");
  }
  // A period that ended before the organization joined was never balanced on this ledger.
  if (std::int64_t member_since = MemberSinceMs(context.state, org); end <= member_since) {
    return Reject("R14", "fiscal year " + std::to_string(year) + " of '" + org + "' ended at " +
                             std::to_string(end) + " ms, before '" + org + "' became a member at " +
                             std::to_string(member_since) +
                             " ms; only periods of its membership can be closed");
  }
  const std::string key = "c/period/" + org + "/" + std::to_string(year);
  if (context.state.Get(key)) {
    return Reject("R14",
                  "fiscal year " + std::to_string(year) + " of '" + org + "' is already closed");
  }
  nlohmann::json statements = nlohmann::json::array();
  for (const std::string& characteristic : CharacteristicsWithFlows(context.state, org)) {
    statements.push_back(PeriodStatement(context.state, org, characteristic, year));
  }
  nlohmann::json stored = {{"org", org},
                           {"fiscal_year", year},
                           {"closed_ms", context.block.time_ms},
                           {"close_record_id", RecordIdHex(context)},
                           {"statements", statements}};
  context.state.Put(key, stored.dump());
  context.details = {{"fiscal_year", year}, {"characteristics", statements.size()}};
  return std::nullopt;
}

}  // namespace mbl::chaincode
